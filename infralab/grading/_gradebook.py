"""Record ``infralab grade`` results in nbgrader's gradebook (grader/gradebook.db).

The assignment's cells are synced the way ``nbgrader generate_assignment`` does it (nbgrader's
own ``SaveCells`` preprocessor over the source), then each result becomes a submission whose
grade cells carry our auto scores. ``nbgrader export`` and the formgrader read them from there.
Only the grader process writes here; the sandbox never sees the file.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from infralab.grading._course import Course

__all__ = ["record", "db_url"]

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
    import copy

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


def record(course: Course, result: dict[str, Any]) -> None:
    """Store one result (from ``infralab grade``) as the learner's submission of the lab.

    A learner's earlier submission of the same lab is replaced.
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
            gb.add_submission(lab, learner, timestamp=datetime.now(UTC).replace(tzinfo=None))
            for task in result["tasks"]:
                grade = gb.find_grade(task["grade_id"], lab, lab, learner)
                grade.auto_score = float(task["points"])
                grade.manual_score = None
                grade.needs_manual_grade = False
            gb.db.commit()
