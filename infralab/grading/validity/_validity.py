"""``infralab validity LAB --mutate``: the mutation score of a lab's tests, per task.

Every first-order mutant of the reference solution cells (:mod:`infralab.grading.validity._mutate`), or
a seeded sample of them, is graded by the real grader (:func:`grade_notebook`, normal sandbox)
as a learner submission. A mutant is

- **killed** when it loses points on its own task (a failing, erroring or timed-out grade cell
  of that task);
- **equivalent** when it keeps every point and ``tests/mutants/<lab>/equivalent.yaml`` lists it,
  with a one-line reason (it computes what the reference computes on every input the contract
  allows);
- **survived** otherwise: a mistake the tests let through.

The kill rate of a task is ``killed / (graded - equivalent)``. A listed equivalent that is no
longer generated, or that is now killed, is **stale**.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infralab.grading._course import Course, CourseError
from infralab.grading._lab import LabSpec, load_lab
from infralab.grading.grade._grade import default_options, grade_notebook
from infralab.grading.grade._judge import GraderFailure
from infralab.grading.validity._mutate import GeneratedMutant, generate_mutants, submission

__all__ = [
    "EQUIVALENT_FILE",
    "MutantOutcome",
    "TaskReport",
    "LabReport",
    "load_equivalents",
    "select_mutants",
    "Journal",
    "run_lab",
    "format_report",
    "figures_table",
    "write_figures",
    "survivors_text",
]

EQUIVALENT_FILE = "equivalent.yaml"
DOC_BEGIN = "<!-- validity-figures:begin -->"
DOC_END = "<!-- validity-figures:end -->"


@dataclass
class MutantOutcome:
    """What grading one mutant gave."""

    mutant: GeneratedMutant
    status: str  # killed | survived | equivalent | error
    points: float = 0.0  # on its own task
    max_points: float = 0.0
    cells: dict[str, str] = field(default_factory=dict)  # own-task grade_id -> status
    seconds: float = 0.0
    error: str | None = None
    retried: bool = False  # killed by a timeout alone, then graded again with twice the limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.mutant.id,
            "description": self.mutant.description,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "cells": self.cells,
            "seconds": round(self.seconds, 2),
            **({"error": self.error} if self.error else {}),
            **({"retried": True} if self.retried else {}),
        }


@dataclass
class TaskReport:
    """The mutation figures of one task."""

    task: str
    generated: int = 0
    outcomes: list[MutantOutcome] = field(default_factory=list)

    def _with(self, status: str) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def graded(self) -> int:
        return len(self.outcomes) - len(self._with("error"))

    @property
    def killed(self) -> int:
        return len(self._with("killed"))

    @property
    def survivors(self) -> list[MutantOutcome]:
        return self._with("survived")

    @property
    def equivalents(self) -> list[MutantOutcome]:
        return self._with("equivalent")

    @property
    def errors(self) -> list[MutantOutcome]:
        return self._with("error")

    @property
    def kill_rate(self) -> float | None:
        """``killed / (graded - equivalent)``; None when nothing non-equivalent was graded."""
        base = self.graded - len(self.equivalents)
        return self.killed / base if base > 0 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "generated": self.generated,
            "graded": self.graded,
            "killed": self.killed,
            "survived": len(self.survivors),
            "equivalent": len(self.equivalents),
            "errors": len(self.errors),
            "kill_rate": self.kill_rate,
            "survivors": [
                {"id": o.mutant.id, "description": o.mutant.description} for o in self.survivors
            ],
            "equivalents": [o.mutant.id for o in self.equivalents],
        }


@dataclass
class LabReport:
    """The mutation report of one lab."""

    lab: str
    tasks: list[TaskReport]
    stale: list[str]  # "<id>: why"
    seconds: float
    sampled: bool
    outcomes: list[MutantOutcome] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # solution grade_id -> reference cell

    @property
    def errors(self) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.status == "error"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "sampled": self.sampled,
            "seconds": round(self.seconds, 1),
            "tasks": [t.as_dict() for t in self.tasks],
            "stale_equivalents": self.stale,
            "mutants": [o.as_dict() for o in self.outcomes],
        }


def equivalents_path(course: Course, lab: str) -> Path:
    return course.root / "tests" / "mutants" / lab / EQUIVALENT_FILE


def load_equivalents(path: Path) -> dict[str, str]:
    """``{mutant id: reason}`` from an ``equivalent.yaml`` (absent file: none).

    The file is a YAML mapping of mutant ids to a one-line reason each.

    Raises:
        CourseError: unreadable YAML, not a mapping, or an entry without a one-line reason.
    """
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CourseError(f"{path}: cannot read ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CourseError(f"{path}: must be a mapping of mutant id to a one-line reason")
    out = {}
    for key, reason in data.items():
        if not isinstance(key, str) or not isinstance(reason, str) or not reason.strip():
            raise CourseError(f"{path}: {key!r}: give a one-line reason (a non-empty string)")
        if "\n" in reason.strip():
            raise CourseError(f"{path}: {key}: the reason must be one line")
        out[key] = reason.strip()
    return out


def select_mutants(
    lab: str,
    mutants: list[GeneratedMutant],
    *,
    sample: int | None = None,
    seed: int = 0,
    include: set[str] | None = None,
) -> list[GeneratedMutant]:
    """All mutants, or ``sample`` per task drawn with ``seed`` (plus the ids in ``include``).

    The draw depends only on the lab, the task, the seed and the task's generated mutants, so
    a sample is the same on every machine and every run.
    """
    if sample is None:
        return list(mutants)
    include = include or set()
    chosen: set[str] = set()
    by_task: dict[str, list[GeneratedMutant]] = {}
    for m in mutants:
        by_task.setdefault(m.task, []).append(m)
    for task, ms in by_task.items():
        rng = random.Random(f"{seed}:{lab}:{task}")
        ids = sorted(m.id for m in ms)
        chosen.update(rng.sample(ids, min(sample, len(ids))))
    chosen |= include
    return [m for m in mutants if m.id in chosen]


def _grade_reference(course: Course, spec: LabSpec, timeout: float) -> float:
    """Grade the reference; its seconds. A reference below full marks is unusable input."""
    options = default_options(cell_timeout=min(60.0, timeout), notebook_timeout=timeout)
    start = time.monotonic()
    result = grade_notebook(
        course, submission(spec), lab=spec.lab, learner="reference", options=options
    )
    if result["score"] != result["max_score"]:
        lost = [f"{t['grade_id']}={t['status']}" for t in result["tasks"] if t["status"] != "pass"]
        raise CourseError(
            f"{spec.lab}: the reference scores {result['score']:g}/{result['max_score']:g} "
            f"({', '.join(lost)}); mutation scores need a reference with full marks"
        )
    return time.monotonic() - start


def _grade_mutant(
    course: Course, spec: LabSpec, mutant: GeneratedMutant, timeout: float, equivalent: bool
) -> MutantOutcome:
    # Only the mutant's own task is judged (the others are ``skipped``): that is all a kill
    # counts, and a pass stops after the task's last grade cell.
    options = default_options(
        cell_timeout=min(60.0, timeout),
        notebook_timeout=timeout,
        only_tasks=frozenset({mutant.task}),
    )
    nb = submission(spec, {mutant.grade_id: mutant.code})
    start = time.monotonic()
    error = None
    result = None
    for _ in range(2):  # a sandbox that failed to start is retried once
        try:
            result = grade_notebook(course, nb, lab=spec.lab, learner=mutant.id, options=options)
            break
        except (GraderFailure, CourseError) as exc:
            error = str(exc)
    seconds = time.monotonic() - start
    if result is None:
        return MutantOutcome(mutant, "error", seconds=seconds, error=error)
    own = [t for t in result["tasks"] if t["task"] == mutant.task]
    points = float(sum(t["points"] for t in own))
    top = float(sum(t["max_points"] for t in own))
    if points < top:
        status = "killed"
    else:
        status = "equivalent" if equivalent else "survived"
    return MutantOutcome(
        mutant,
        status,
        points=points,
        max_points=top,
        cells={t["grade_id"]: t["status"] for t in own},
        seconds=seconds,
    )


def _timeout_only(o: MutantOutcome) -> bool:
    statuses = set(o.cells.values())
    return o.status == "killed" and "timeout" in statuses and statuses <= {"timeout", "pass"}


class Journal:
    """Outcomes already graded, one JSON line each, so a long run survives being stopped.

    A line is keyed by the lab, the mutant id and the sha256 of the lab's source notebook: a
    change to the lab (its tests or its reference) makes every earlier line stale, and stale
    lines are ignored, never reused. Errors are not journalled (they are graded again).
    """

    def __init__(self, path: Path, lab: str, source_sha256: str) -> None:
        self.path = path
        self.lab = lab
        self.source_sha256 = source_sha256
        self._done: dict[str, dict[str, Any]] = {}
        if path.is_file():
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    # A line cut short by a kill is the only expected damage: skip it.
                    continue
                if not isinstance(row, dict):
                    raise CourseError(f"{path}: line {n}: not a JSON object")
                if row.get("lab") == lab and row.get("source_sha256") == source_sha256:
                    self._done[str(row.get("id"))] = row

    def outcome(self, mutant: GeneratedMutant, equivalent: bool) -> MutantOutcome | None:
        """The journalled outcome of ``mutant`` (its status re-read against equivalent.yaml)."""
        row = self._done.get(mutant.id)
        if row is None:
            return None
        status = row["status"]
        if status in ("survived", "equivalent"):
            status = "equivalent" if equivalent else "survived"
        return MutantOutcome(
            mutant,
            status,
            points=float(row["points"]),
            max_points=float(row["max_points"]),
            cells=dict(row["cells"]),
            seconds=float(row["seconds"]),
            retried=bool(row.get("retried", False)),
        )

    def record(self, outcome: MutantOutcome) -> None:
        """Append ``outcome`` (flushed at once; errors are left out)."""
        if outcome.status == "error":
            return
        row = {"lab": self.lab, "source_sha256": self.source_sha256, **outcome.as_dict()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
            fh.flush()


def run_lab(
    course: Course,
    lab: str,
    *,
    sample: int | None = None,
    seed: int = 0,
    workers: int = 1,
    timeout: float | None = None,
    include: set[str] | None = None,
    check_equivalents: bool = False,
    progress: Any = None,
    journal: Path | None = None,
) -> LabReport:
    """Generate, select and grade the mutants of ``lab``; the per-task report.

    Args:
        timeout: per-mutant grading limit in seconds (default: from the reference's time).
        include: mutant ids graded in any case (unknown ids are a CourseError).
        check_equivalents: also grade every listed equivalent mutant, sampled or not.
        progress: called with ``(done, total)`` after each mutant, if given.
        journal: a JSON-lines file of outcomes (see :class:`Journal`): mutants it already
            holds for this version of the lab are not graded again, new outcomes are
            appended as they come, so a stopped run resumes where it was.

    Raises:
        CourseError: unknown lab or mutant id, a malformed equivalent file, or a reference
            that does not score full marks.
    """
    start = time.monotonic()
    spec = load_lab(course, lab)
    mutants = generate_mutants(spec)
    known = {m.id for m in mutants}
    unknown = sorted((include or set()) - known)
    if unknown:
        raise CourseError(f"{lab}: no such generated mutant: {', '.join(unknown)}")
    equivalents = load_equivalents(equivalents_path(course, lab))
    stale = [
        f"{mid}: no longer generated (listed in {EQUIVALENT_FILE})"
        for mid in sorted(equivalents)
        if mid not in known
    ]
    wanted = set(include or set())
    if check_equivalents:
        wanted |= set(equivalents) & known
    chosen = select_mutants(lab, mutants, sample=sample, seed=seed, include=wanted)
    book = None
    if journal is not None:
        book = Journal(journal, lab, hashlib.sha256(spec.source_path.read_bytes()).hexdigest())
    ref_seconds = _grade_reference(course, spec, timeout or 600.0)
    limit = timeout or max(60.0, 5 * ref_seconds + 30.0)
    outcomes: list[MutantOutcome | None] = [
        book.outcome(m, m.id in equivalents) if book else None for m in chosen
    ]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {
            i: pool.submit(_grade_mutant, course, spec, m, limit, m.id in equivalents)
            for i, m in enumerate(chosen)
            if outcomes[i] is None
        }
        done = len(chosen) - len(futures)
        for i, fut in futures.items():
            outcome = fut.result()
            outcomes[i] = outcome
            if book is not None and not _timeout_only(outcome):
                book.record(outcome)  # a timeout-only kill is recorded after its regrade
            done += 1
            if progress is not None:
                progress(done, len(chosen))
        # A kill by timeout alone may be a slow machine, not the mutant: grade it again with
        # twice the limit, and keep the second verdict.
        slow = [i for i, o in enumerate(outcomes) if o is not None and _timeout_only(o)]
        again = {
            i: pool.submit(
                _grade_mutant, course, spec, chosen[i], 2 * limit, chosen[i].id in equivalents
            )
            for i in slow
        }
        for i, fut in again.items():
            outcome = fut.result()
            outcome.retried = True
            outcomes[i] = outcome
            if book is not None:
                book.record(outcome)
    graded = [o for o in outcomes if o is not None]
    for o in graded:
        if o.status == "killed" and o.mutant.id in equivalents:
            stale.append(f"{o.mutant.id}: listed as equivalent but now killed")
    tasks = []
    for task in spec.tasks:
        report = TaskReport(task, generated=sum(1 for m in mutants if m.task == task))
        report.outcomes = [o for o in graded if o.mutant.task == task]
        tasks.append(report)
    return LabReport(
        lab=lab,
        tasks=tasks,
        stale=stale,
        seconds=time.monotonic() - start,
        sampled=sample is not None,
        outcomes=graded,
        sources={c.grade_id: c.source for c in spec.solution_cells if c.grade_id},
    )


def _rate(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def format_report(report: LabReport) -> str:
    """The human-readable report of one lab."""
    kind = "sampled" if report.sampled else "all mutants"
    lines = [f"{report.lab}: mutation report ({kind}, {report.seconds:.0f} s)"]
    head = ("task", "generated", "graded", "killed", "survived", "equivalent", "kill rate")
    rows = [head] + [
        (
            t.task,
            str(t.generated),
            str(t.graded),
            str(t.killed),
            str(len(t.survivors)),
            str(len(t.equivalents)),
            _rate(t.kill_rate),
        )
        for t in report.tasks
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    for t in report.tasks:
        for o in t.survivors:
            lines.append(f"  survived  {o.mutant.id}  {o.mutant.description}")
    for t in report.tasks:
        for o in t.equivalents:
            lines.append(f"  equivalent  {o.mutant.id}")
    for o in report.errors:
        lines.append(f"  error  {o.mutant.id}: {o.error}")
    for s in report.stale:
        lines.append(f"  stale equivalent  {s}")
    return "\n".join(lines)


def figures_table(reports: list[LabReport], command: str, date: _dt.date | None = None) -> str:
    """The Markdown figures of docs/validity.md: per lab, per task."""
    when = (date or _dt.datetime.now(_dt.UTC).date()).isoformat()
    lines = [
        f"Measured {when} with `{command}`.",
        "",
        "| lab | task | mutants | graded | killed | survived | equivalent | kill rate |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        for t in r.tasks:
            lines.append(
                f"| {r.lab} | {t.task} | {t.generated} | {t.graded} | {t.killed} | "
                f"{len(t.survivors)} | {len(t.equivalents)} | {_rate(t.kill_rate)} |"
            )
    return "\n".join(lines)


def write_figures(path: Path, table: str) -> None:
    """Replace the figures between the markers of ``path`` (appended when absent)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = f"{DOC_BEGIN}\n{table}\n{DOC_END}"
    pattern = re.compile(re.escape(DOC_BEGIN) + r".*?" + re.escape(DOC_END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def survivors_text(report: LabReport) -> str:
    """Every surviving mutant of a lab, with its description and the changed cell lines."""
    import difflib

    lines = [f"# surviving mutants of {report.lab} ({sum(len(t.survivors) for t in report.tasks)})"]
    for t in report.tasks:
        for o in t.survivors:
            m = o.mutant
            lines.append("")
            lines.append(f"{m.id}  {m.description}")
            original = report.sources.get(m.grade_id)
            if original is None:
                continue
            diff = difflib.unified_diff(
                original.splitlines(), m.cell.splitlines(), lineterm="", n=0
            )
            lines.extend("    " + d for d in list(diff)[2:])
    return "\n".join(lines) + "\n"


def _threshold(value: float) -> float:
    return value / 100.0 if value > 1 else value


def run_validity(args: Any, course: Course) -> int:
    """The ``infralab validity`` command (see :mod:`infralab.grading.cli` for exit codes).

    0 done, 1 a task below ``--min-kill-rate`` or (with ``--check-equivalents``) a stale
    equivalent, 2 unusable input, 3 the grader failed on some mutant.
    """
    import shlex
    import sys

    if not args.mutate:
        raise CourseError("nothing to measure: pass --mutate (mutation score per task)")
    if args.workers < 1:
        raise CourseError(f"--workers must be at least 1, got {args.workers}")
    if args.sample is not None and args.sample < 1:
        raise CourseError(f"--sample must be at least 1, got {args.sample}")
    labs = args.labs or course.lab_ids()
    for lab in labs:
        course.source_path(lab)  # unknown lab -> CourseError naming it
    include_by_lab: dict[str, set[str]] = {lab: set() for lab in labs}
    for mid in args.mutant:
        gid = mid.split(":")[1] if mid.count(":") >= 4 else None
        owners = [lab for lab in labs if gid and gid in load_lab(course, lab).grade_ids]
        if not owners:
            raise CourseError(f"--mutant {mid}: not a mutant id of {', '.join(labs)}")
        for lab in owners:
            if len(owners) == 1:
                include_by_lab[lab].add(mid)
            elif any(m.id == mid for m in generate_mutants(load_lab(course, lab))):
                include_by_lab[lab].add(mid)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r  graded {done}/{total}", end="" if done < total else "\n", file=sys.stderr)
        elif done % 25 == 0 or done == total:
            print(f"  graded {done}/{total}", file=sys.stderr, flush=True)

    reports = []
    failed: list[str] = []  # labs that could not be measured (the others still are)
    for lab in labs:
        try:
            report = run_lab(
                course,
                lab,
                sample=args.sample,
                seed=args.seed,
                workers=args.workers,
                timeout=args.timeout,
                include=include_by_lab[lab],
                check_equivalents=args.check_equivalents,
                progress=progress,
                journal=Path(args.journal) / f"journal-{lab}.jsonl" if args.journal else None,
            )
        except CourseError as exc:
            print(f"infralab: error: {exc}", file=sys.stderr, flush=True)
            failed.append(lab)
            continue
        reports.append(report)
        if not args.json:
            print(format_report(report), flush=True)
        if args.survivors:
            out = Path(args.survivors) / f"survivors-{lab}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(survivors_text(report), encoding="utf-8")
    below = []
    if args.min_kill_rate is not None:
        floor = _threshold(args.min_kill_rate)
        below = [
            f"{r.lab} {t.task}: {_rate(t.kill_rate)} < {floor:.0%}"
            for r in reports
            for t in r.tasks
            if t.kill_rate is not None and t.kill_rate < floor
        ]
    stale = [f"{r.lab}: {s}" for r in reports for s in r.stale]
    if args.json:
        summary = {"labs": [r.as_dict() for r in reports], "below": below, "failed": failed}
        print(json.dumps(summary, sort_keys=True))
    if args.write_doc:
        command = " ".join(["infralab validity", *map(shlex.quote, labs), "--mutate"])
        if args.sample is not None:
            command += f" --sample {args.sample} --seed {args.seed}"
        command += f" --workers {args.workers}"
        write_figures(Path(args.write_doc), figures_table(reports, command))
    for line in below:
        print(f"infralab: below --min-kill-rate: {line}", file=sys.stderr)
    if args.check_equivalents:
        for line in stale:
            print(f"infralab: stale equivalent: {line}", file=sys.stderr)
    if failed:
        return 2
    if any(r.errors for r in reports):
        return 3
    if below or (args.check_equivalents and stale):
        return 1
    return 0
