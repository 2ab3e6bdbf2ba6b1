"""Record ``infralab grade`` results in nbgrader's gradebook (grader/gradebook.db).

The assignment's cells are synced the way ``nbgrader generate_assignment`` does it (nbgrader's
own ``SaveCells`` preprocessor over the source), then each result becomes a submission whose
grade cells carry our auto scores. ``nbgrader export`` and the formgrader read them from there.
Only the grader process writes here; the sandbox never sees the file.

Which sandbox graded each submission is recorded twice: as the automatic comment of each of
its solution cells (``infralab grade: sandbox bubblewrap, cgroup v1``; the formgrader shows it)
and in a table of our own, ``infralab_grading`` (one row per learner and lab, with the whole
``sandbox`` object of the result), which nbgrader ignores. :func:`sandbox_of` reads it.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
import sys
import threading
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from infralab.grading._course import Course

__all__ = ["record", "db_url", "sandbox_note", "sandbox_of"]

_synced: set[tuple[str, str, int]] = set()
_lock = threading.Lock()


@contextmanager
def _nbgrader_quirks():
    """nbgrader shells out to ``alembic`` when it creates a gradebook, and SQLAlchemy warns
    about nbgrader's own session use: put the venv's bin/ on PATH, silence the warnings."""
    bindir = os.path.dirname(sys.executable)
    if shutil.which("alembic") is None and os.path.exists(os.path.join(bindir, "alembic")):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="sqlalchemy")
        warnings.filterwarnings("ignore", message=".*not in session.*")
        yield


def db_url(course: Course) -> str:
    return f"sqlite:///{course.gradebook}"


def _course_id(course: Course) -> str:
    from infralab.grading._build import nbgrader_config

    cfg = nbgrader_config(course)
    try:
        value = cfg.CourseDirectory.course_id
    except AttributeError:
        value = None
    return value if isinstance(value, str) and value else "default_course"


def _sync_assignment(course: Course, lab: str) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
        SaveCells,
    )

    from infralab.grading._build import nbgrader_config
    from infralab.grading._lab import load_lab

    spec = load_lab(course, lab)
    stat = spec.source_path.stat()
    key = (str(course.gradebook), lab, stat.st_mtime_ns)
    if key in _synced:
        return
    with Gradebook(db_url(course), course_id=_course_id(course)) as gb:
        gb.update_or_create_assignment(lab, course_id=_course_id(course))
    config = nbgrader_config(course)
    nb = copy.deepcopy(spec.source)
    resources: dict[str, Any] = {
        "nbgrader": {"db_url": db_url(course), "assignment": lab, "notebook": lab}
    }
    # The first half of nbgrader's GenerateAssignment pipeline, up to SaveCells.
    for cls in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums):
        nb, resources = cls(config=config).preprocess(nb, resources)
    SaveCells(config=config).preprocess(nb, resources)
    _synced.add(key)


def _write_autograded(course: Course, result: dict[str, Any]) -> None:
    """grader/autograded/<learner>/<lab>/<lab>.ipynb, for the formgrader and feedback.

    The learner's notebook with every grade cell put back to its released version (never the
    hidden tests) and one output line stating the status, so nothing generated from it (e.g.
    ``nbgrader generate_feedback``) can show hidden test source.
    """
    import nbformat

    from infralab.grading._course import cells_of, read_notebook, write_notebook_text
    from infralab.grading._lab import load_lab

    learner = str(result["learner"])
    if not learner or learner.startswith(".") or "/" in learner or "\\" in learner:
        return  # not a safe directory name; the scores are in the gradebook anyway
    spec = load_lab(course, result["lab"])
    try:
        nb = read_notebook(result["notebook"])
    except Exception:  # noqa: BLE001 - the submission may be gone; the scores are recorded
        return
    released = {c.grade_id: spec.release.cells[c.index] for c in spec.release_cells if c.grade}
    by_id = {t["grade_id"]: t for t in result["tasks"]}
    for info in cells_of(nb):
        cell = nb.cells[info.index]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if info.grade_id in released and info.grade:
            cell.source = released[info.grade_id].source
            cell.metadata = copy.deepcopy(released[info.grade_id].metadata)
            task = by_id[info.grade_id]
            text = f"infralab grade: {task['status']} ({task['points']:g}/{task['max_points']:g})"
            if task.get("message"):
                text += f"\n{task['message']}"
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
    out = course.grader / "autograded" / result["learner"] / result["lab"]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{result['lab']}.ipynb").write_text(write_notebook_text(nb), encoding="utf-8")


def record(course: Course, result: dict[str, Any], *, timestamp: datetime | None = None) -> None:
    """Store one result (from ``infralab grade``) as the learner's submission of the lab.

    A learner's earlier submission of the same lab is replaced. Also writes the autograded
    copy of the notebook that the formgrader shows (grader/autograded/...). ``timestamp``
    (naive UTC): when it was submitted, from ``nbgrader collect``'s ``timestamp.txt``; the
    formgrader counts a submission as autograded only when the two agree. Default: now.
    """
    from nbgrader.api import Gradebook, MissingEntry

    lab = result["lab"]
    learner = result["learner"]
    course.grader.mkdir(parents=True, exist_ok=True)
    with _lock, _nbgrader_quirks():
        _sync_assignment(course, lab)
        with Gradebook(db_url(course), course_id=_course_id(course)) as gb:
            gb.update_or_create_student(learner)
            try:
                gb.remove_submission(lab, learner)
            except MissingEntry:
                pass
            when = timestamp or datetime.now(UTC).replace(tzinfo=None)
            gb.add_submission(lab, learner, timestamp=when)
            for task in result["tasks"]:
                grade = gb.find_grade(task["grade_id"], lab, lab, learner)
                grade.auto_score = float(task["points"])
                grade.manual_score = None
                grade.needs_manual_grade = False
            note = sandbox_note(result)
            for comment in gb.find_submission_notebook(lab, lab, learner).comments:
                comment.auto_comment = note
            gb.db.commit()
        _record_sandbox(course, result)
        _write_autograded(course, result)


_TABLE = """CREATE TABLE IF NOT EXISTS infralab_grading (
    student_id TEXT NOT NULL,
    assignment TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    cgroup TEXT,
    sandbox_json TEXT NOT NULL,
    submission_sha256 TEXT,
    PRIMARY KEY (student_id, assignment)
)"""


def sandbox_note(result: dict[str, Any]) -> str:
    """One line saying which sandbox graded ``result`` (the solution cells' auto comment)."""
    sandbox = result.get("sandbox") or {}
    kind = str(sandbox.get("kind") or "unknown")
    if kind == "none":  # grading never falls back silently: only --no-sandbox gets here
        kind = "none (--no-sandbox)"
    cgroup = sandbox.get("cgroup")
    limits = f"cgroup {cgroup}" if cgroup else "no cgroup: per-process rlimits only"
    return f"infralab grade: sandbox {kind}, {limits}"


def _record_sandbox(course: Course, result: dict[str, Any]) -> None:
    sandbox = result.get("sandbox") or {}
    db = sqlite3.connect(course.gradebook)
    try:
        db.execute(_TABLE)
        db.execute(
            "INSERT OR REPLACE INTO infralab_grading VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(result["learner"]),
                str(result["lab"]),
                datetime.now(UTC).isoformat(timespec="seconds"),
                str(sandbox.get("kind") or "unknown"),
                sandbox.get("cgroup"),
                json.dumps(sandbox, sort_keys=True),
                result.get("submission_sha256"),
            ),
        )
        db.commit()
    finally:
        db.close()


def sandbox_of(course: Course, learner: str, lab: str) -> dict[str, Any] | None:
    """The ``sandbox`` object recorded with ``learner``'s graded submission of ``lab``."""
    if not course.gradebook.exists():
        return None
    db = sqlite3.connect(course.gradebook)
    try:
        row = db.execute(
            "SELECT sandbox_json FROM infralab_grading WHERE student_id = ? AND assignment = ?",
            (learner, lab),
        ).fetchone()
    except sqlite3.OperationalError:  # no such table: nothing graded by this version yet
        return None
    finally:
        db.close()
    return json.loads(row[0]) if row else None
