"""``infralab grade``: find submissions, judge them in parallel, record them in the gradebook.

A SUBMISSION on the command line is a notebook, or a directory laid out
``<learner>/<lab>/<notebook>.ipynb`` (the submissions root, one learner's directory, or one
``<learner>/<lab>`` directory). Each submission is judged by :mod:`infralab.grading._judge`
with its own sandboxed worker; ``--workers N`` judges N at once (threads in this process, each
driving its own worker process). Results come back in the order the submissions were found.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from infralab.grading._course import (
    Course,
    CourseError,
    cells_of,
    lab_of_notebook,
    read_notebook,
    read_notebook_text,
    write_notebook_text,
)
from infralab.grading._judge import GraderFailure, JudgeOptions, judge_submission
from infralab.grading._lab import load_lab, recognise_lab
from infralab.grading._sandbox import SandboxConfig

__all__ = [
    "GradeOptions",
    "Submission",
    "Outcome",
    "find_submissions",
    "grade_paths",
    "grade_notebook",
    "default_options",
]

_MAX_EXTRA_BYTES = 32 * 1024 * 1024
_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", ".git"}


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: limits, parallelism, lab and learner overrides, gradebook on or off."""

    judge: JudgeOptions = field(default_factory=JudgeOptions)
    workers: int = 1
    lab: str | None = None
    learner: str | None = None
    gradebook: bool = True

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> GradeOptions:
        judge = JudgeOptions()
        if args.cell_timeout is not None:
            judge = replace(judge, cell_timeout=args.cell_timeout)
        if args.notebook_timeout is not None:
            judge = replace(judge, notebook_timeout=args.notebook_timeout)
        return cls(
            judge=judge,
            workers=args.workers,
            lab=args.lab,
            learner=args.learner,
            gradebook=not args.no_gradebook,
        )


@dataclass(frozen=True)
class Submission:
    """One notebook to grade, and the files its sandbox gets."""

    path: Path
    learner: str
    lab_hint: str | None
    files: dict[str, Path]


@dataclass
class Outcome:
    """The result of one submission, or why it could not be graded (``error``)."""

    path: Path
    result: dict[str, Any] | None = None
    error: str | None = None
    grader_fault: bool = False  # the grader, not the input, failed

    def summary(self) -> str:
        """One human-readable line (the non ``--json`` output)."""
        if self.result is None:
            return f"{self.path}: not graded: {self.error}"
        r = self.result
        marks = " ".join(f"{t['grade_id']}={t['status']}" for t in r["tasks"])
        line = f"{r['learner']} {r['lab']}: {r['score']:g}/{r['max_score']:g}  {marks}"
        if r["flags"]:
            line += "  [" + "; ".join(r["flags"]) + "]"
        return line


def _lab_dir_files(lab_dir: Path, notebook: Path) -> dict[str, Path]:
    """The notebook plus the other regular files of a ``<learner>/<lab>/`` dir (capped)."""
    files = {notebook.name: notebook}
    total = notebook.stat().st_size
    for path in sorted(lab_dir.rglob("*")):
        rel = path.relative_to(lab_dir)
        if any(part in _SKIP_DIRS for part in rel.parts) or path.is_symlink():
            continue
        if not path.is_file() or path.suffix == ".ipynb":
            continue
        total += path.stat().st_size
        if total > _MAX_EXTRA_BYTES:
            break
        files[str(rel)] = path
    return files


def find_submissions(
    course: Course, paths: Sequence[str | Path], options: GradeOptions
) -> list[Submission | Outcome]:
    """Expand command-line SUBMISSION arguments; unusable ones become error outcomes."""
    known = set(course.lab_ids())
    found: list[Submission | Outcome] = []

    def lab_dir(d: Path, learner: str) -> None:
        for nb in sorted(d.glob("*.ipynb")):
            found.append(Submission(nb, learner, d.name, _lab_dir_files(d, nb)))

    for raw in paths:
        path = Path(raw)
        if path.is_file():
            parent = path.parent
            if parent.name in known and parent.parent.name:
                learner, hint = parent.parent.name, parent.name
            else:
                learner, hint = path.stem, None
            found.append(Submission(path, options.learner or learner, hint, {path.name: path}))
        elif path.is_dir():
            if any(path.glob("*.ipynb")):
                if path.resolve().name in known:  # <learner>/<lab>/
                    lab_dir(path, path.resolve().parent.name)
                else:  # a flat folder of notebooks: one learner per notebook
                    for nb in sorted(path.glob("*.ipynb")):
                        found.append(Submission(nb, nb.stem, None, {nb.name: nb}))
                continue
            subdirs = sorted(d for d in path.iterdir() if d.is_dir() and d.name not in _SKIP_DIRS)
            if any(any(d.glob("*.ipynb")) for d in subdirs):
                for d in subdirs:
                    lab_dir(d, path.resolve().name)
                continue
            before = len(found)
            for learner_dir in subdirs:
                for d in sorted(x for x in learner_dir.iterdir() if x.is_dir()):
                    if d.name not in _SKIP_DIRS:
                        lab_dir(d, learner_dir.name)
            if len(found) == before:
                found.append(Outcome(path, error=f"{path}: no <learner>/<lab>/*.ipynb inside"))
        else:
            found.append(Outcome(path, error=f"{path}: no such file or directory"))
    return found


def _resolve_lab(course: Course, sub: Submission, nb: NotebookNode, options: GradeOptions) -> str:
    known = set(course.lab_ids())
    if options.lab:
        return options.lab
    if sub.lab_hint in known:
        return sub.lab_hint  # type: ignore[return-value]
    declared = lab_of_notebook(nb)
    if declared in known:
        return declared  # type: ignore[return-value]
    ids = {c.grade_id for c in cells_of(nb) if c.grade_id}
    lab = recognise_lab(course, ids)
    if lab is None:
        hint = f" (its metadata says {declared!r})" if declared else ""
        raise CourseError(
            f"{sub.path}: cannot tell which lab this notebook is for{hint}; "
            f"use --lab (labs: {', '.join(sorted(known)) or 'none'})"
        )
    return lab


def _grade_one(course: Course, sub: Submission, options: GradeOptions) -> Outcome:
    try:
        text = read_notebook_text(sub.path)
        nb = read_notebook(sub.path, text)
        lab = _resolve_lab(course, sub, nb, options)
        spec = load_lab(course, lab)
        result = judge_submission(spec, nb, sub.files, options.judge)
    except CourseError as exc:
        return Outcome(sub.path, error=str(exc))
    except GraderFailure as exc:
        return Outcome(sub.path, error=f"{sub.path}: {exc}", grader_fault=True)
    except Exception as exc:  # noqa: BLE001 - one broken submission never stops the others
        return Outcome(
            sub.path,
            error=f"{sub.path}: grader error: {type(exc).__name__}: {exc}",
            grader_fault=True,
        )
    ordered = {
        "learner": sub.learner,
        "lab": lab,
        "notebook": str(sub.path),
        "submission_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "source_sha256": hashlib.sha256(spec.source_path.read_bytes()).hexdigest(),
        **result,
    }
    return Outcome(sub.path, result=ordered)


def grade_paths(
    course: Course, paths: Sequence[str | Path], options: GradeOptions
) -> Iterator[Outcome]:
    """Grade every submission under ``paths``; yield outcomes in the order found.

    Results are recorded in the gradebook (``grader/gradebook.db``) as they come, unless
    ``options.gradebook`` is off. A gradebook failure becomes a flag, never a lost result.
    """
    if options.lab:
        course.source_path(options.lab)  # unknown --lab: a usage error for the whole run
    items = find_submissions(course, paths, options)
    subs = [s for s in items if isinstance(s, Submission)]
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        futures = {id(s): pool.submit(_grade_one, course, s, options) for s in subs}
        for item in items:
            if isinstance(item, Outcome):
                yield item
                continue
            outcome = futures[id(item)].result()
            if outcome.result is not None and options.gradebook:
                from infralab.grading._gradebook import record

                try:
                    record(course, outcome.result)
                except Exception as exc:  # noqa: BLE001 - keep the result, say what failed
                    outcome.result["flags"].append(f"gradebook: not recorded ({exc})")
            yield outcome


def grade_notebook(
    course: Course,
    notebook: NotebookNode | str | Path,
    *,
    lab: str | None = None,
    learner: str = "learner",
    options: GradeOptions | None = None,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Grade one notebook (a path, or an in-memory notebook) and return its result dict.

    The Python entry point used by the validity harness, the attack corpus and the benchmark.
    The gradebook is not touched unless ``options.gradebook`` is on.

    Raises:
        CourseError: unusable notebook or unknown lab.
        GraderFailure: the sandbox could not start.
    """
    import tempfile

    opts = options or GradeOptions(gradebook=False)
    if lab is not None:
        opts = replace(opts, lab=lab)
    with tempfile.TemporaryDirectory(prefix="infralab-nb-", dir=workdir) as tmp:
        if isinstance(notebook, NotebookNode):
            path = Path(tmp) / f"{lab or 'submission'}.ipynb"
            path.write_text(write_notebook_text(notebook), encoding="utf-8")
        else:
            path = Path(notebook)
        sub = Submission(path, learner, None, {path.name: path})
        outcome = _grade_one(course, sub, opts)
    if outcome.error is not None:
        if outcome.grader_fault:
            raise GraderFailure(outcome.error)
        raise CourseError(outcome.error)
    assert outcome.result is not None
    if opts.gradebook:
        from infralab.grading._gradebook import record

        record(course, outcome.result)
    return outcome.result


def default_options(**judge: Any) -> GradeOptions:
    """Options with some judge limits changed, e.g. ``default_options(cell_timeout=5)``."""
    sandbox = judge.pop("sandbox", None) or SandboxConfig()
    return GradeOptions(judge=JudgeOptions(sandbox=sandbox, **judge), gradebook=False)
