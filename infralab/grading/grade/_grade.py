"""``infralab grade``: find submissions, judge them in parallel, record them in the gradebook.

A SUBMISSION on the command line is a notebook, or a directory laid out
``<learner>/<lab>/<notebook>.ipynb`` or ``<learner>/<notebook>.ipynb`` (the submissions root,
one learner's directory, or one ``<learner>/<lab>`` directory). Files are read through
:mod:`infralab.grading.grade._intake` (no link followed, size caps, copies only). Each submission
is judged by :mod:`infralab.grading.grade._judge` with its own sandboxed worker; ``--workers N``
judges N at once (threads in this process, each driving its own worker process);
``--cluster`` judges on Dask workers instead. The loop, with the grading ledger that makes
reruns skip what is recorded, is :mod:`infralab.grading.cohort`. Results come back in the
order the submissions were found.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
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
    write_notebook_text,
)
from infralab.grading._lab import load_lab, recognise_lab
from infralab.grading.grade._intake import (
    SKIP_DIRS,
    Intake,
    IntakeLimits,
    check_cell_sizes,
    check_course_paths,
    display,
    learner_problem,
    open_dir,
    safe_text,
    scan_dir,
    take_in,
)
from infralab.grading.grade._judge import GraderFailure, JudgeOptions, judge_submission
from infralab.grading.sandbox._sandbox import SandboxConfig

__all__ = [
    "GradeOptions",
    "Submission",
    "Outcome",
    "find_submissions",
    "grade_paths",
    "grade_notebook",
    "default_options",
    # the steps of one grading, for the cohort grade loop (infralab.grading.cohort)
    "Prepared",
    "prepare_submission",
    "judge_prepared",
    "finish_submission",
    "failed_outcome",
]


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: limits, parallelism, lab and learner overrides, gradebook on or off."""

    judge: JudgeOptions = field(default_factory=JudgeOptions)
    workers: int = 1
    lab: str | None = None
    learner: str | None = None
    gradebook: bool = True
    intake: IntakeLimits = field(default_factory=IntakeLimits)
    # Certification grading (``judge.certification``): the secret variant key, the attempt,
    # and where each result is kept (default ``grader/results/``) for ``infralab certify``.
    variant_key: bytes | None = field(default=None, repr=False)
    attempt: int = 1
    results_dir: Path | None = None
    # The grading ledger (infralab.grading.cohort): off unless asked for here, on by default
    # in the ``infralab grade`` command. ``ledger_url`` None: grader/ledger.db (SQLite, WAL).
    ledger: bool = False
    ledger_url: str | None = None
    force: bool = False  # regrade what the ledger already holds
    cluster: str | None = None  # a Dask cluster: ``local:N`` or a scheduler address
    progress: Any = field(default=None, repr=False, compare=False)  # a cohort.Progress

    def __post_init__(self) -> None:
        # Each of the N parallel sandboxes gets one fair share of the CPUs (cores / N) as its
        # cgroup's CPU quota, unless a share was set explicitly.
        from infralab.grading.sandbox._sandbox import fair_cpu_share

        sandbox = self.judge.sandbox
        if sandbox.sandbox_cpus is None and self.workers > 1:
            share = fair_cpu_share(self.workers)
            judge = replace(self.judge, sandbox=replace(sandbox, sandbox_cpus=share))
            object.__setattr__(self, "judge", judge)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> GradeOptions:
        judge = JudgeOptions()
        if args.cell_timeout is not None:
            judge = replace(judge, cell_timeout=args.cell_timeout)
        if args.notebook_timeout is not None:
            judge = replace(judge, notebook_timeout=args.notebook_timeout)
        key = None
        if getattr(args, "certification", False):
            judge = replace(judge, certification=True)
        if getattr(args, "no_sandbox", False):  # refused (SandboxError) under certification
            judge = replace(judge, sandbox=replace(judge.sandbox, use_bwrap=False))
        if judge.certification:
            from infralab.grading.grade._variant import VariantKeyError, load_variant_key

            try:
                key = load_variant_key(getattr(args, "variant_key", None) or "")
            except VariantKeyError as exc:
                raise CourseError(str(exc)) from None
        cluster = getattr(args, "cluster", None)
        workers = args.workers
        if cluster:
            from infralab.grading.cohort import parse_cluster

            kind, count = parse_cluster(cluster)
            if kind == "local":  # N sandboxes on this machine: the same fair CPU share
                workers = int(count)
        return cls(
            judge=judge,
            workers=workers,
            ledger=not getattr(args, "no_ledger", True),
            ledger_url=getattr(args, "ledger", None),
            force=bool(getattr(args, "force", False)),
            cluster=cluster,
            lab=args.lab,
            learner=args.learner,
            gradebook=not args.no_gradebook,
            variant_key=key,
            attempt=getattr(args, "attempt", 1) or 1,
            results_dir=Path(args.results) if getattr(args, "results", None) else None,
        )


@dataclass(frozen=True)
class Submission:
    """One notebook to grade: where it was found, whose it is, how to read it safely.

    The notebook is ``base`` (a resolved directory the instructor named) joined with
    ``parts``; :mod:`infralab.grading.grade._intake` opens each part without following links and
    copies the file (and, with ``with_folder``, the other files of its ``<learner>/<lab>/``
    dir) into a grader-owned staging dir. Only those copies reach the sandbox.
    """

    path: Path  # as found, for messages (shown through ``display``)
    learner: str  # always a folder name (or ``--learner``), never a file stem
    lab_hint: str | None
    base: Path
    parts: tuple[str, ...]
    with_folder: bool = False
    flags: tuple[str, ...] = ()  # e.g. ``learner mismatch: ...``


@dataclass
class Outcome:
    """The result of one submission, or why it could not be graded (``error``)."""

    path: Path
    result: dict[str, Any] | None = None
    error: str | None = None
    grader_fault: bool = False  # the grader, not the input, failed
    staged: Intake | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        """One human-readable line (the non ``--json`` output)."""
        if self.result is None:
            return f"{display(self.path)}: not graded: {self.error}"
        r = self.result
        marks = " ".join(f"{t['grade_id']}={t['status']}" for t in r["tasks"])
        line = f"{r['learner']} {r['lab']}: {r['score']:g}/{r['max_score']:g}  {marks}"
        if r["flags"]:
            line += "  [" + "; ".join(r["flags"]) + "]"
        return line

    def release(self) -> None:
        """Remove the staged copy of the submission (idempotent)."""
        if self.staged is not None:
            self.staged.cleanup()
            self.staged = None


# --------------------------------------------------------------------------- discovery
def _is_notebook(name: str, kind: str) -> bool:
    return name.endswith(".ipynb") and kind != "dir"


def _is_folder(name: str, kind: str) -> bool:
    return kind == "dir" and name not in SKIP_DIRS and not name.startswith(".")


def _subdir(fd: int, name: str) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)


def _holds_notebooks(fd: int, name: str, depth: int) -> bool:
    """Whether directory ``name`` (below ``fd``) has notebooks within ``depth`` levels."""
    try:
        sub = _subdir(fd, name)
    except OSError:
        return False
    try:
        for n, kind in scan_dir(sub):
            if _is_notebook(n, kind):
                return True
            if depth > 1 and _is_folder(n, kind) and _holds_notebooks(sub, n, depth - 1):
                return True
        return False
    finally:
        os.close(sub)


def _folder_names(path: Path) -> frozenset[str]:
    """The directory names in ``path`` (the learners of a root); empty when unreadable."""
    try:
        fd = open_dir(path)
    except (OSError, CourseError):
        return frozenset()
    try:
        return frozenset(n for n, kind in scan_dir(fd) if _is_folder(n, kind))
    finally:
        os.close(fd)


def _mismatch(learner: str, name: str, learners: frozenset[str]) -> tuple[str, ...]:
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    if stem != learner and stem in learners:
        return (
            f"learner mismatch: the file name says '{display(stem)}', "
            f"but it is in the folder of learner '{learner}'; graded as '{learner}'",
        )
    return ()


class _Finder:
    """Expands one SUBMISSION argument; every directory is opened without following links."""

    def __init__(self, known: set[str], options: GradeOptions) -> None:
        self.known = known
        self.options = options
        self.found: list[Submission | Outcome] = []

    def skip(self, path: Path, why: str) -> None:
        self.found.append(Outcome(path, error=f"{display(path)}: skipped: {why}"))

    def file(self, path: Path) -> None:
        """The single-notebook form: ``path/to/nb.ipynb [--learner X]``."""
        base = Path(os.path.realpath(path.parent))
        if base.name in self.known and base.parent != base:  # <learner>/<lab>/<nb>.ipynb
            folder_learner, hint = base.parent.name, base.name
            learners = _folder_names(base.parent.parent)
        else:  # <learner>/<nb>.ipynb
            folder_learner, hint, learners = base.name, None, frozenset()
        learner = self.options.learner or folder_learner
        flags = _mismatch(learner, path.name, learners)
        if self.options.learner and hint and folder_learner != learner:
            flags += (
                f"learner mismatch: the folder says '{display(folder_learner)}'; "
                f"graded as '{learner}' (--learner)",
            )
        problem = learner_problem(learner)
        if problem:
            self.found.append(
                Outcome(path, error=f"{display(path)}: learner id '{display(learner)}' {problem}")
            )
            return
        self.found.append(Submission(path, learner, hint, base, (path.name,), False, flags))

    def directory(self, path: Path) -> None:
        base = Path(os.path.realpath(path))
        fd = open_dir(base)
        try:
            entries = scan_dir(fd)
            notebooks = [n for n, kind in entries if _is_notebook(n, kind)]
            folders = [n for n, kind in entries if _is_folder(n, kind)]
            if base.name in self.known and notebooks and base.parent != base:
                # one <learner>/<lab>/ directory
                learner = base.parent.name
                if self._bad_learner(path.parent, learner):
                    return
                learners = _folder_names(base.parent.parent)
                for name in notebooks:
                    self._sub(path / name, base, (name,), learner, base.name, True, learners)
                return
            labs = [n for n in folders if n in self.known and _holds_notebooks(fd, n, 1)]
            if labs or not any(_holds_notebooks(fd, n, 2) for n in folders):
                if not notebooks and not labs:
                    self.found.append(
                        Outcome(path, error=f"{display(path)}: no <learner>/<lab>/*.ipynb inside")
                    )
                    return
                # one learner's directory: <learner>/<lab>/<nb>.ipynb and <learner>/<nb>.ipynb
                self._learner(path, base, (), fd, base.name, _folder_names(base.parent))
                return
            # the submissions root: one learner per directory; nothing else is anyone's
            learners = frozenset(folders)
            for name, kind in entries:
                here = path / name
                if _is_folder(name, kind):
                    try:
                        sub = _subdir(fd, name)
                    except OSError as exc:
                        self.skip(here, f"cannot open ({exc.strerror})")
                        continue
                    try:
                        self._learner(here, base, (name,), sub, name, learners)
                    finally:
                        os.close(sub)
                elif kind == "link":
                    self.skip(here, "a symbolic link in the submissions root (not followed)")
                elif _is_notebook(name, kind):
                    self.skip(
                        here,
                        "a notebook directly in the submissions root belongs to no learner "
                        "(expected <root>/<learner>/<lab>/<notebook>.ipynb)",
                    )
        finally:
            os.close(fd)

    def _bad_learner(self, path: Path, learner: str) -> bool:
        problem = learner_problem(learner)
        if problem:
            self.found.append(
                Outcome(
                    path,
                    error=f"{display(path)}: learner folder name '{display(learner)}' "
                    f"{problem}; not graded (rename the folder)",
                )
            )
        return bool(problem)

    def _learner(
        self,
        path: Path,
        base: Path,
        prefix: tuple[str, ...],
        fd: int,
        learner: str,
        learners: frozenset[str],
    ) -> None:
        """One learner's folder (open as ``fd``): its notebooks, and those of its lab dirs."""
        if self._bad_learner(path, learner):
            return
        for name, kind in scan_dir(fd):
            here = path / name
            if _is_notebook(name, kind):
                self._sub(here, base, (*prefix, name), learner, None, False, learners)
            elif _is_folder(name, kind):
                try:
                    sub = _subdir(fd, name)
                except OSError as exc:
                    self.found.append(
                        Outcome(here, error=f"{display(here)}: cannot open ({exc.strerror})")
                    )
                    continue
                try:
                    for n, k in scan_dir(sub):
                        if _is_notebook(n, k):
                            self._sub(here / n, base, (*prefix, name, n), learner, name, True,
                                      learners)  # fmt: skip
                finally:
                    os.close(sub)
            elif kind == "link" and os.path.isdir(here):
                self.found.append(
                    Outcome(
                        here,
                        error=f"{display(here)}: a symbolic link to a directory in the "
                        f"folder of learner '{learner}' (not followed); nothing there is graded",
                    )
                )

    def _sub(
        self,
        here: Path,
        base: Path,
        parts: tuple[str, ...],
        learner: str,
        hint: str | None,
        with_folder: bool,
        learners: frozenset[str],
    ) -> None:
        flags = _mismatch(learner, parts[-1], learners)
        self.found.append(Submission(here, learner, hint, base, parts, with_folder, flags))


def find_submissions(
    course: Course, paths: Sequence[str | Path], options: GradeOptions
) -> list[Submission | Outcome]:
    """Expand command-line SUBMISSION arguments; unusable ones become error outcomes.

    The layout is decided per learner folder (see grader/README.md, "Intake"): the learner
    is always a folder name, a stray file changes nothing for anyone else (it is reported as
    skipped), and no link below an argument is followed.
    """
    finder = _Finder(set(course.lab_ids()), options)
    for raw in paths:
        path = Path(raw)
        try:
            if os.path.isdir(path):
                finder.directory(path)
            elif os.path.lexists(path):
                finder.file(path)
            else:
                finder.found.append(
                    Outcome(path, error=f"{display(path)}: no such file or directory")
                )
        except CourseError as exc:
            finder.found.append(Outcome(path, error=safe_text(str(exc))))
        except OSError as exc:
            finder.found.append(
                Outcome(path, error=f"{display(path)}: cannot read ({exc.strerror or exc})")
            )
    return _one_per_lab(finder.found)


def _one_per_lab(found: list[Submission | Outcome]) -> list[Submission | Outcome]:
    """Two notebooks of one learner in one lab folder: neither is graded (which counts?)."""
    import stat

    groups: dict[tuple[str, str], list[Submission]] = {}
    for item in found:
        if isinstance(item, Submission) and item.lab_hint is not None:
            try:  # links and other non-files are refused at intake anyway: they do not count
                regular = stat.S_ISREG(os.lstat(item.base.joinpath(*item.parts)).st_mode)
            except OSError:
                regular = False
            if regular:
                groups.setdefault((item.learner, item.lab_hint), []).append(item)
    clashes = {id(s) for subs in groups.values() if len(subs) > 1 for s in subs}
    if not clashes:
        return found
    out: list[Submission | Outcome] = []
    for item in found:
        if id(item) in clashes:
            assert isinstance(item, Submission)
            n = len(groups[(item.learner, item.lab_hint or "")])
            out.append(
                Outcome(
                    item.path,
                    error=f"{display(item.path)}: learner '{display(item.learner)}' handed in "
                    f"{n} notebooks for lab {item.lab_hint}; none is graded (keep exactly one)",
                )
            )
        else:
            out.append(item)
    return out


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
        hint = f" (its metadata says '{display(declared)[:80]}')" if declared else ""
        raise CourseError(
            f"{display(sub.path)}: cannot tell which lab this notebook is for{hint}; "
            f"use --lab (labs: {', '.join(sorted(known)) or 'none'})"
        )
    return lab


_LEARNER_KEYS = (("infralab", "learner"), ("learner",), ("student",), ("student_id",))


def _metadata_mismatch(nb: NotebookNode, learner: str) -> list[str]:
    """A flag when the notebook's metadata names a learner other than its folder's."""
    meta = nb.get("metadata")
    for keys in _LEARNER_KEYS:
        value: Any = meta
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and value and value != learner:
            return [
                f"learner mismatch: the notebook's metadata says '{display(value)[:80]}', "
                f"but it is in the folder of learner '{learner}'; graded as '{learner}'"
            ]
    return []


@dataclass
class Prepared:
    """A submission taken in and ready to judge: its staged copy, lab and judge settings.

    Made by :func:`prepare_submission`; judged here (:func:`judge_prepared`) or on a Dask
    worker (:mod:`infralab.grading.cohort`), then turned into an :class:`Outcome` by
    :func:`finish_submission`. ``submission_sha256``/``source_sha256`` key the ledger.
    """

    sub: Submission
    intake: Intake
    nb: NotebookNode
    lab: str
    spec: Any  # LabSpec
    judge: JudgeOptions
    submission_sha256: str
    source_sha256: str


def prepare_submission(course: Course, sub: Submission, options: GradeOptions) -> Prepared:
    """Take ``sub`` in (safe copy), read it, recognise its lab: everything before judging.

    Raises:
        CourseError: unusable input (the message names the file).
    """
    shown = display(sub.path)
    intake = take_in(sub.base, sub.parts, shown, options.intake, with_folder=sub.with_folder)
    try:
        text = intake.text
        nb = read_notebook(shown, text)
        check_cell_sizes(nb.cells, shown, options.intake.cell_source_bytes)
        lab = _resolve_lab(course, sub, nb, options)
        spec = load_lab(course, lab)
        judge = options.judge
        if judge.certification:
            judge = replace(judge, variant_seed=_certification_seed(options, sub.learner, lab))
        return Prepared(
            sub,
            intake,
            nb,
            lab,
            spec,
            judge,
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
            hashlib.sha256(spec.source_path.read_bytes()).hexdigest(),
        )
    except BaseException:
        intake.cleanup()
        raise


def judge_prepared(prep: Prepared) -> dict[str, Any]:
    """Judge a prepared submission in its own sandbox (the judge's raw result)."""
    return judge_submission(prep.spec, prep.nb, prep.intake.files, prep.judge)


def failed_outcome(sub: Submission, exc: BaseException) -> Outcome:
    """The error outcome of ``sub`` for an exception raised while preparing or judging it."""
    shown = display(sub.path)
    if isinstance(exc, CourseError):
        return Outcome(sub.path, error=safe_text(str(exc)))
    if isinstance(exc, GraderFailure):
        return Outcome(sub.path, error=safe_text(f"{shown}: {exc}"), grader_fault=True)
    return Outcome(
        sub.path,
        error=safe_text(f"{shown}: grader error: {type(exc).__name__}: {exc}"),
        grader_fault=True,
    )


def finish_submission(course: Course, prep: Prepared, result: dict[str, Any],
                      options: GradeOptions) -> Outcome:  # fmt: skip
    """The reported result: who, which lab and submission, the judge's result, flags."""
    sub, judge = prep.sub, prep.judge
    ordered = {
        "learner": sub.learner,
        "lab": prep.lab,
        "notebook": display(sub.path),
        "submission_sha256": prep.submission_sha256,
        "source_sha256": prep.source_sha256,
        **result,
    }
    ordered["flags"] = [*sub.flags, *_metadata_mismatch(prep.nb, sub.learner), *result["flags"]]
    if judge.certification:
        _certification_fields(course, ordered, options, judge.variant_seed)
    return Outcome(sub.path, result=ordered, staged=prep.intake)


def _grade_one(course: Course, sub: Submission, options: GradeOptions) -> Outcome:
    prep: Prepared | None = None
    try:
        prep = prepare_submission(course, sub, options)
        result = judge_prepared(prep)
    except Exception as exc:  # noqa: BLE001 - one broken submission never stops the others
        if prep is not None:
            prep.intake.cleanup()
        return failed_outcome(sub, exc)
    return finish_submission(course, prep, result, options)


def _certification_seed(options: GradeOptions, learner: str, lab: str) -> int:
    from infralab.grading.grade._variant import certification_seed

    if options.variant_key is None:
        raise CourseError("certification grading needs a variant key (--variant-key FILE)")
    return certification_seed(options.variant_key, learner, lab, options.attempt)


def _certification_fields(
    course: Course, result: dict[str, Any], options: GradeOptions, seed: int
) -> None:
    """What ``infralab certify`` binds into a credential; only hidden tests count.

    Visible tests are public practice (a candidate had them with their expected values), so
    under certification the score is the hidden tests' alone; the visible points are kept
    as ``practice_score`` for feedback.
    """
    import datetime as dt

    import infralab

    hidden = [t for t in result["tasks"] if t["hidden"]]
    result["practice_score"] = result["score"] - sum(t["points"] for t in hidden)
    result["hidden_score"] = sum(t["points"] for t in hidden)
    result["hidden_max_score"] = sum(t["max_points"] for t in hidden)
    result["score"], result["max_score"] = result["hidden_score"], result["hidden_max_score"]
    result.update(
        certification=True,
        attempt=options.attempt,
        variant_seed=seed,
        lab_source_sha256=result["source_sha256"],
        grader_version=infralab.__version__,
        course_version=_course_version(course),
        graded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _course_version(course: Course) -> str:
    """sha256 over every lab's source notebook: which exam, whatever the checkout."""
    h = hashlib.sha256()
    for lab in course.lab_ids():
        h.update(lab.encode() + b"\0" + course.source_path(lab).read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def _keep_result(course: Course, outcome: Outcome, options: GradeOptions) -> None:
    """Write a certification result to ``<results>/<learner>/<lab>/attempt-<N>.json``."""
    result = outcome.result
    assert result is not None
    root = options.results_dir or (course.grader / "results")
    folder = root / result["learner"] / result["lab"]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = folder / f"attempt-{result['attempt']}.json"
    tmp = folder / f".{final.name}.tmp"
    tmp.write_text(json.dumps(result, sort_keys=True, indent=1), encoding="utf-8")
    os.replace(tmp, final)  # atomic: a regrade replaces the attempt's result whole


def _record(course: Course, outcome: Outcome) -> None:
    """Record a result in the gradebook from the staged copy (never the learner's path)."""
    from infralab.grading.grade._gradebook import record

    assert outcome.result is not None
    staged = outcome.staged.notebook if outcome.staged is not None else None
    record(course, {**outcome.result, "notebook": str(staged)}, timestamp=_submitted_at(outcome))


def _submitted_at(outcome: Outcome) -> Any:
    """The time in ``nbgrader collect``'s ``timestamp.txt`` beside the notebook, if any.

    nbgrader's formgrader shows a submission as autograded only when the gradebook's time
    equals this file's. Like nbgrader, we take the file as it is; unreadable means "now".
    """
    path = outcome.staged.files.get("timestamp.txt") if outcome.staged is not None else None
    if path is None:
        return None
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(path.read_text(encoding="utf-8").strip()[:100])
    except (OSError, ValueError, OverflowError, UnicodeDecodeError):
        return None


def _deliver(course: Course, outcome: Outcome, options: GradeOptions) -> bool:
    """Keep a certification result and write the gradebook; True when the gradebook has it."""
    assert outcome.result is not None
    if options.judge.certification:
        try:
            _keep_result(course, outcome, options)
        except OSError as exc:  # the result still goes to stdout
            outcome.result["flags"].append(safe_text(f"result not kept ({exc})"))
    if not options.gradebook:
        return False
    try:
        _record(course, outcome)
    except Exception as exc:  # noqa: BLE001 - keep the result, say what failed
        outcome.result["flags"].append(safe_text(f"gradebook: not recorded ({exc})"))
        return False
    return True


def grade_paths(
    course: Course, paths: Sequence[str | Path], options: GradeOptions
) -> Iterator[Outcome]:
    """Grade every submission under ``paths``; yield outcomes in the order found.

    Results are recorded in the ledger first when ``options.ledger`` is on (a submission
    already recorded with the same key is skipped unless ``options.force``: its recorded
    result is yielded, marked ``"ledger": {"skipped": true, ...}``), then in the gradebook
    (``grader/gradebook.db``) unless ``options.gradebook`` is off. A gradebook failure becomes
    a flag, never a lost result. With ``options.cluster`` submissions are judged on Dask.
    The loop itself is :func:`infralab.grading.cohort.grade_submissions`.

    Raises:
        CourseError: an unknown ``--lab``, or a submissions path that overlaps the course
            (see :func:`infralab.grading.grade._intake.check_course_paths`); an unusable ledger or
            cluster.
    """
    from infralab.grading.cohort import (
        GradingCluster,
        Ledger,
        LedgerError,
        default_ledger_url,
        grade_submissions,
    )

    if options.lab:
        course.source_path(options.lab)  # unknown --lab: a usage error for the whole run
    check_course_paths(course, list(paths))
    items = find_submissions(course, paths, options)
    ledger = None
    if options.ledger:
        try:
            ledger = Ledger(options.ledger_url or default_ledger_url(course.grader))
        except LedgerError as exc:
            raise CourseError(str(exc)) from None
    cluster = GradingCluster(options.cluster) if options.cluster else None
    try:
        judge: Any = judge_prepared
        threads = options.workers
        if cluster is not None:
            judge = cluster.judge(course.root)
            # two in flight per worker thread: the next one waits on the worker, so a slow round
            # trip (a busy machine, a far scheduler) never leaves a worker idle
            threads = max(options.workers, 2 * cluster.threads(), 1)
        yield from grade_submissions(
            course,
            items,
            options,
            judge=judge,
            deliver=lambda outcome: _deliver(course, outcome, options),
            ledger=ledger,
            threads=threads,
            progress=options.progress,
        )
    finally:
        if cluster is not None:
            cluster.close()
        if ledger is not None:
            ledger.close()


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
    The gradebook is not touched unless ``options.gradebook`` is on. A path is read like any
    submission (no link followed, size caps).

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
        base = Path(os.path.realpath(path.parent))
        sub = Submission(path, learner, None, base, (path.name,))
        outcome = _grade_one(course, sub, opts)
        try:
            if outcome.error is not None:
                if outcome.grader_fault:
                    raise GraderFailure(outcome.error)
                raise CourseError(outcome.error)
            assert outcome.result is not None
            if opts.gradebook:
                _record(course, outcome)
        finally:
            outcome.release()
    return outcome.result


def default_options(**judge: Any) -> GradeOptions:
    """Options with some judge limits changed, e.g. ``default_options(cell_timeout=5)``."""
    sandbox = judge.pop("sandbox", None) or SandboxConfig()
    return GradeOptions(judge=JudgeOptions(sandbox=sandbox, **judge), gradebook=False)
