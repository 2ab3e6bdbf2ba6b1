"""The judge: grades one submission without ever running learner code itself.

It walks the SOURCE notebook in order:

- a solution cell: the learner's version of it (matched by grade_id) runs in the worker;
- any other code cell that is not a grade cell (setup, demos): the released version runs in
  the worker;
- a grade cell (visible or hidden): the source cell runs HERE, in a fresh namespace, with
  :func:`infralab.grading.grade._probe.set_transport` routing its ``probe`` calls to the worker. The
  answers are JSON text, parsed here; the assertions run here. The cell passes only if it runs
  to completion here and the worker never failed meanwhile.

Code cells the learner added (or unlocked cells they edited) run in the worker too, in the
learner's notebook order: each just before the next cell it precedes that matches the release.
That is what ``infralab check`` runs, so check and grade give one verdict; it costs no safety,
because the judge trusts nothing the worker says beyond plain JSON answers. Before anything
runs, :func:`account` compares the learner's notebook with the release (nbgrader checksums) and
settles missing and tampered grade cells.

Grading is two passes, each on a fresh worker: the visible grade cells first, then the hidden
ones. Nothing the worker does after it has seen a hidden probe can reach a result except that
cell's pass/fail status (no message, no flag text), so hidden snippets cannot be carried out
through a later visible test's message. Cells after a pass's last grade cell are not run.

When the worker dies or times out it is restarted and the cells that completed before are
replayed in order (the cell that killed it is skipped), at most ``max_restarts`` times; after
that, and after the per-notebook deadline, the remaining grade cells are ``error`` /
``timeout``. Hidden cells report their status only, never a message.
"""

from __future__ import annotations

import builtins
import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from infralab.grading._course import NbCell, cells_of, task_of
from infralab.grading._lab import LabSpec
from infralab.grading.grade._env import dispatch_local, environment_scope
from infralab.grading.grade._probe import (
    ProbeError,
    set_reference_transport,
    set_transport,
    set_variant_seed,
)
from infralab.grading.sandbox._protocol import WorkerDied, WorkerLost, WorkerTimeout
from infralab.grading.sandbox._sandbox import (
    SandboxConfig,
    SandboxError,
    SandboxInfo,
    Worker,
    sandbox_info,
)

__all__ = [
    "JudgeOptions",
    "Accounting",
    "GraderFailure",
    "account",
    "judge_submission",
    "STATUSES",
]

STATUSES = ("pass", "fail", "error", "timeout", "missing", "tampered", "skipped")
_MAX_MESSAGE = 500


class GraderFailure(Exception):
    """The grader could not run at all (no learner code ran): not the learner's doing."""


@dataclass(frozen=True)
class JudgeOptions:
    """Time limits and sandbox settings for one submission."""

    cell_timeout: float = 60.0
    notebook_timeout: float = 600.0
    startup_timeout: float = 60.0
    max_restarts: int = 3
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    # The input variant grade cells draw from (``variant_rng``): 0 normally, bound to the
    # candidate, lab and attempt under certification grading.
    variant_seed: int = 0
    # Certification grading: never without the bubblewrap sandbox (--no-sandbox refused).
    certification: bool = False
    # The grade cells themselves are untrusted (``infralab check`` of a notebook whose course
    # source was not found): run them in the worker like any cell, never in this process.
    tests_in_worker: bool = False
    # Judge only these tasks' grade cells (the mutation score grades a mutant on its own task:
    # the others are ``skipped``, and a pass stops after the last cell it needs).
    only_tasks: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.certification and self.sandbox.use_bwrap is False:
            raise SandboxError(
                "certification grading runs only inside the bubblewrap sandbox: "
                "--no-sandbox is refused"
            )


# --------------------------------------------------------------------------- accounting
@dataclass
class Accounting:
    """What the learner's notebook holds, compared with the release."""

    status: dict[str, str]  # grade_id -> "missing" | "tampered", for settled grade cells
    solutions: dict[str, str]  # solution grade_id -> learner code to run
    flags: list[str]
    extra_cells: int
    # Added or edited learner code cells, by the index of the source cell they run before;
    # ``None`` collects those after the last matched cell (run at the end).
    extra: dict[int | None, list[str]] = field(default_factory=dict)


def _checksum(cell: NotebookNode) -> str | None:
    from nbgrader.utils import compute_checksum

    try:
        return compute_checksum(cell)
    except Exception:  # noqa: BLE001 - malformed learner metadata: no checksum possible
        return None


def _same_points(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and a == b


def account(spec: LabSpec, nb: NotebookNode) -> Accounting:
    """Match the learner's cells to the release by grade_id and settle what cannot be graded.

    - a grade cell that is absent: ``missing`` (``tampered`` if its released source sits in
      a cell under another id: renamed);
    - a grade cell re-typed, re-flagged, given other points, or whose source no longer matches
      the release checksum (blanked, edited): ``tampered``;
    - a solution cell re-typed or re-flagged (e.g. marked as a grade cell), a duplicated id,
      or an edited or deleted locked cell of a task: every grade cell of that task ``tampered``;
    - code cells that are not in the release (added, or edited unlocked cells): run in the
      worker in notebook order, just before the next learner cell that matches a release
      cell; counted in the flag ``extra cells run: N``.
    """
    learner = cells_of(nb)
    by_id: dict[str, list[NbCell]] = {}
    for cell in learner:
        if cell.grade_id is not None:
            by_id.setdefault(cell.grade_id, []).append(cell)
    release = {c.grade_id: c for c in spec.release_cells if c.grade_id is not None}
    status: dict[str, str] = {}
    tampered_tasks: dict[str, str] = {}
    flags: list[str] = []
    solutions: dict[str, str] = {}
    used: set[int] = set()

    for grade_id, cells in sorted(by_id.items()):
        if len(cells) > 1 and grade_id in release:
            tampered_tasks.setdefault(task_of(grade_id), f"cell {grade_id} appears {len(cells)}x")

    for ref in spec.release_cells:
        if ref.grade_id is None:
            continue
        gid = ref.grade_id
        mine = by_id.get(gid, [])
        if not mine:
            if ref.grade:
                renamed = any(
                    c.source == ref.source and c.grade_id != gid and c.source.strip()
                    for c in learner
                )
                status[gid] = "tampered" if renamed else "missing"
                flags.append(
                    f"grade cell {gid} renamed" if renamed else f"missing grade cell {gid}"
                )
            elif ref.solution:
                flags.append(f"missing solution cell {gid}")
            elif ref.locked:
                flags.append(f"missing locked cell {gid}")
                if gid.startswith("task"):
                    tampered_tasks.setdefault(task_of(gid), f"locked cell {gid} deleted")
            continue
        cell = mine[0]
        used.add(cell.index)
        problems = []
        if cell.cell_type != ref.cell_type:
            problems.append(f"re-typed to {cell.cell_type}")
        if (cell.grade, cell.solution, cell.locked) != (ref.grade, ref.solution, ref.locked):
            problems.append("re-flagged")
        if ref.grade and not _same_points(cell.points, ref.points):
            problems.append("points changed")
        if (ref.grade or (ref.locked and not ref.solution)) and not problems:
            if _checksum(nb.cells[cell.index]) != ref.checksum:
                problems.append("edited" if cell.source.strip() else "blanked")
        if problems:
            what = ", ".join(problems)
            if ref.grade:
                status[gid] = "tampered"
                flags.append(f"tampered grade cell {gid}: {what}")
            elif ref.solution:
                tampered_tasks.setdefault(task_of(gid), f"solution cell {gid}: {what}")
            else:
                flags.append(f"tampered locked cell {gid}: {what}")
                if gid.startswith("task"):
                    tampered_tasks.setdefault(task_of(gid), f"locked cell {gid}: {what}")
            if not ref.solution or cell.cell_type != "code":
                continue
        if ref.solution and cell.cell_type == "code":
            solutions[gid] = cell.source

    for task, why in sorted(tampered_tasks.items()):
        flags.append(f"tampered task {task}: {why}")
        for gc in spec.grade_cells:
            if gc.task == task and gc.grade_id is not None:
                status[gc.grade_id] = "tampered"

    release_index = {c.grade_id: c.index for c in spec.release_cells if c.grade_id is not None}
    source_index: dict[str, int] = {}
    for c in spec.release_cells:
        if c.cell_type == "code" and c.grade_id is None:
            source_index.setdefault(c.source, c.index)
    extra_cells: dict[int | None, list[str]] = {}
    pending: list[str] = []
    extra = 0
    for cell in learner:
        if cell.cell_type != "code":
            continue
        anchor: int | None = None
        if cell.index in used and cell.grade_id in release_index:
            anchor = release_index[cell.grade_id]
        elif cell.grade_id is None and cell.source in source_index:
            anchor = source_index[cell.source]
        if anchor is not None:
            if pending:
                extra_cells.setdefault(anchor, []).extend(pending)
                pending = []
            continue
        if cell.index in used or not cell.source.strip():
            continue
        extra += 1
        pending.append(cell.source)
    if pending:
        extra_cells.setdefault(None, []).extend(pending)
    if extra:
        flags.append(f"extra cells run: {extra}")
    return Accounting(
        status=status, solutions=solutions, flags=flags, extra_cells=extra, extra=extra_cells
    )


# ------------------------------------------------------------------------------ session
class _Session:
    """A worker plus the cells that completed in it, so it can be rebuilt after a crash."""

    def __init__(self, files: dict[str, Path], options: JudgeOptions, deadline: float) -> None:
        self.files = files
        self.options = options
        self.deadline = deadline
        self.worker: Worker | None = None
        self.history: list[str] = []
        self.starts = 0
        self.info: SandboxInfo = sandbox_info(options.sandbox)
        self.flags: list[str] = []
        self.gave_up: str | None = None
        self.errors: dict[str, str] = {}  # label -> what a cell raised (infralab check shows it)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self) -> float:
        return max(0.0, min(self.options.cell_timeout, self.remaining()))

    def ensure(self) -> Worker | None:
        """A live worker with the history replayed, or ``None`` once we gave up."""
        if self.worker is not None:
            return self.worker
        if self.gave_up:
            return None
        if self.starts > self.options.max_restarts:
            self.gave_up = f"worker restarted {self.options.max_restarts} times; gave up"
            self.flags.append(self.gave_up)
            return None
        first = self.starts == 0
        self.starts += 1
        worker = Worker(self.options.sandbox, self.files)
        worker.wall_deadline = self.deadline  # a cell's CPU-time limit never outlasts this
        try:
            worker.start(min(self.options.startup_timeout, max(1.0, self.remaining())))
        except WorkerLost as exc:
            worker.kill()
            if first:
                raise GraderFailure(f"the sandboxed worker did not start: {exc}") from None
            self.gave_up = f"worker could not restart: {exc}"
            self.flags.append(self.gave_up)
            return None
        self.info = worker.info
        for code in self.history:
            try:
                worker.request({"op": "run", "code": code}, self.timeout(), _no_environment)
            except WorkerLost as exc:
                worker.kill()
                self.gave_up = f"replay after a worker restart failed: {exc}"
                self.flags.append(self.gave_up)
                return None
        self.worker = worker
        return worker

    def lost(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def run(self, label: str, code: str) -> None:
        worker = self.ensure()
        if worker is None:
            return
        try:
            reply = worker.request({"op": "run", "code": code}, self.timeout(), _no_environment)
        except WorkerTimeout:
            self.flags.append(f"cell {label} timed out; skipped")
            self.lost()
            return
        except WorkerLost as exc:
            self.flags.append(f"cell {label}: {exc}; skipped")
            self.lost()
            return
        self.history.append(code)
        if reply.get("ok") is False:
            self.errors[label] = str(reply.get("error") or "")[:_MAX_MESSAGE]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


class _Transport:
    """``probe`` -> the worker, for one grade cell. Remembers if the worker was lost."""

    def __init__(self, session: _Session) -> None:
        self.session = session
        self.lost: WorkerLost | None = None

    def __call__(self, code: str) -> str:
        if self.lost is not None:
            raise self.lost
        worker = self.session.worker
        if worker is None:
            raise WorkerDied("no worker")
        timeout = self.session.timeout()
        if timeout <= 0:
            self.lost = WorkerTimeout("notebook time limit reached")
            raise self.lost
        try:
            reply = worker.request({"op": "probe", "code": code}, timeout, _serve_environment)
        except WorkerLost as exc:
            self.lost = exc
            raise
        if reply.get("ok") is not True:
            error = reply.get("error")
            raise ProbeError(f"the probe failed in your code: {str(error)[:_MAX_MESSAGE]}")
        text = reply.get("json")
        if not isinstance(text, str):
            raise ProbeError("the worker's answer is not JSON text")
        return text


def _no_environment(frame: dict[str, Any]) -> dict[str, Any]:
    # Outside a grade cell there is no trusted environment to talk to.
    return {"ok": False, "error": {"type": "EnvError", "message": "no environment here"}}


def _serve_environment(frame: dict[str, Any]) -> dict[str, Any]:
    """Answer the worker's request to an environment of the grade cell being judged."""
    return dispatch_local({**frame, "op": frame.get("req")})


def _quiet_builtins() -> dict[str, Any]:
    # A grade cell's print() must not reach the grader's stdout (the --json stream).
    quiet = dict(vars(builtins))
    quiet["print"] = lambda *a, **k: None
    return quiet


def _message(exc: BaseException) -> str:
    """A visible test's message: capped, and with control characters (ANSI escapes, NULs,
    carriage returns that could overwrite a terminal line) replaced, since parts of it may
    come from the learner's worker."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001
        text = ""
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in text)
    return text[:_MAX_MESSAGE]


class _Reference:
    """The lab's reference solution in a sandboxed worker of its own, for ``reference()``.

    Started on first use: it runs every code cell of the source notebook that is not a grade
    cell (setup, the reference solutions without their markers, demos), in order. Answers are
    cached for the whole grading process per (lab source, snippet), so across a cohort each
    snippet is evaluated once; snippets that use a trusted environment are never cached.
    """

    _cache: dict[tuple[str, str], str] = {}
    _cache_lock = threading.Lock()

    def __init__(self, spec: LabSpec, options: JudgeOptions) -> None:
        self.spec, self.options = spec, options
        self.key = hashlib.sha256(spec.source_path.read_bytes()).hexdigest()
        self.session: _Session | None = None

    def _ensure(self) -> _Session:
        if self.session is None:
            from infralab.grading._lab import reference_solutions

            solutions = reference_solutions(self.spec)
            session = _Session({}, self.options, time.monotonic() + self.options.notebook_timeout)
            for src in self.spec.source_cells:
                if src.cell_type != "code" or src.grade:
                    continue
                code = solutions.get(src.grade_id or "", src.source) if src.solution else src.source
                if code.strip():
                    session.run(f"reference {src.grade_id or src.index}", code)
            self.session = session
        return self.session

    def __call__(self, code: str) -> str:
        key = (self.key, code)
        cacheable = "infralab.grading.sandbox._env_client" not in code
        with self._cache_lock:
            if cacheable and key in self._cache:
                return self._cache[key]
        session = self._ensure()
        worker = session.ensure()
        if worker is None:
            raise GraderFailure(f"the reference solution's worker failed: {session.gave_up}")
        try:
            reply = worker.request(
                {"op": "probe", "code": code}, session.timeout(), _serve_environment
            )
        except WorkerLost as exc:
            session.lost()
            raise GraderFailure(f"the reference solution's worker failed: {exc}") from None
        if reply.get("ok") is not True or not isinstance(reply.get("json"), str):
            raise GraderFailure(f"the reference solution failed a probe: {reply.get('error')}")
        text: str = reply["json"]
        if cacheable:
            with self._cache_lock:
                self._cache[key] = text
        return text

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def _run_grade_cell(
    cell: NbCell, session: _Session, reference: _Reference | None = None
) -> tuple[str, str | None]:
    """Run a source grade cell in the judge. Returns (status, message)."""
    worker = session.ensure()
    if worker is None:
        return "error", session.gave_up
    if session.options.tests_in_worker:
        return _run_untrusted_grade_cell(cell, session, worker)
    transport = _Transport(session)
    namespace: dict[str, Any] = {
        "__name__": "__infralab_grade__",
        "__builtins__": _quiet_builtins(),
    }
    set_transport(transport)
    set_reference_transport(reference)
    set_variant_seed(session.options.variant_seed)
    try:
        code = compile(cell.source, f"<grade cell {cell.grade_id}>", "exec")
        with environment_scope():  # the environments this cell makes, and no others
            exec(code, namespace)  # the SOURCE grade cell: trusted course code
    except WorkerTimeout:
        pass
    except WorkerLost:
        pass
    except GraderFailure:
        raise  # the reference failed: the grader's fault, never the learner's
    except AssertionError as exc:
        if transport.lost is None:
            return "fail", _message(exc)
    except Exception as exc:  # noqa: BLE001 - any error in a grade cell fails it
        if transport.lost is None:
            return "error", _message(exc)
    finally:
        set_transport(None)
        set_reference_transport(None)
        set_variant_seed(0)
    if transport.lost is not None:
        session.lost()
        if isinstance(transport.lost, WorkerTimeout):
            return "timeout", f"no answer within {session.options.cell_timeout:g}s"
        return "error", str(transport.lost)
    return "pass", None


def _run_untrusted_grade_cell(
    cell: NbCell, session: _Session, worker: Worker
) -> tuple[str, str | None]:
    """A grade cell we cannot trust runs in the worker; its verdict is only feedback."""
    try:
        reply = worker.request(
            {"op": "run", "code": cell.source}, session.timeout(), _no_environment
        )
    except WorkerTimeout:
        session.lost()
        return "timeout", f"no answer within {session.options.cell_timeout:g}s"
    except WorkerLost as exc:
        session.lost()
        return "error", str(exc)
    if reply.get("ok") is True:
        return "pass", None
    error = str(reply.get("error") or "the cell failed")
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in error)
    failed = error.startswith(("AssertionError", "ProbeError"))
    return ("fail" if failed else "error"), text[:_MAX_MESSAGE]


@dataclass
class _Pass:
    session: _Session
    timed_out: bool


def _walk(
    spec: LabSpec,
    accounting: Accounting,
    files: dict[str, Path],
    options: JudgeOptions,
    statuses: dict[str, tuple[str, str | None]],
    *,
    hidden: bool,
) -> _Pass | None:
    """One pass over the source on a fresh worker, judging the visible or the hidden cells.

    Runs the cells in source order up to the last grade cell of the pass (later cells cannot
    change its verdicts); grade cells of the other kind are skipped. Fills ``statuses``.
    Returns ``None`` when the pass has nothing to judge.
    """
    wanted = [
        gc.index
        for gc in spec.grade_cells
        if gc.hidden == hidden and (gc.grade_id or "") not in statuses
    ]
    if not wanted:
        return None
    last = max(wanted)
    session = _Session(files, options, time.monotonic() + options.notebook_timeout)
    reference = _Reference(spec, options) if hidden else None
    timed_out = False
    try:
        for src in spec.source_cells:
            if src.index > last:
                break
            if src.cell_type != "code":
                continue
            for n, added in enumerate(accounting.extra.get(src.index, ())):
                if session.remaining() > 0:
                    session.run(f"added before cell {src.index} #{n + 1}", added)
            if src.grade:
                gid = src.grade_id or ""
                if src.hidden != hidden or gid in statuses:
                    continue
                if session.remaining() <= 0:
                    timed_out = True
                    statuses[gid] = ("timeout", "notebook time limit reached")
                    continue
                statuses[gid] = _run_grade_cell(src, session, reference)
            elif src.solution:
                code = accounting.solutions.get(src.grade_id or "")
                if code is not None and session.remaining() > 0:
                    session.run(src.grade_id or f"cell {src.index}", code)
            elif session.remaining() > 0:
                released = spec.release_cells[src.index].source
                if released.strip():
                    session.run(src.grade_id or f"cell {src.index}", released)
    finally:
        session.close()
        if reference is not None:
            reference.close()
    return _Pass(session, timed_out)


def judge_submission(
    spec: LabSpec,
    nb: NotebookNode,
    files: dict[str, Path],
    options: JudgeOptions,
) -> dict[str, Any]:
    """Grade one learner notebook of ``spec``; returns the result (see grader/README.md).

    Args:
        spec: the lab (source with hidden tests, and its release).
        nb: the learner's notebook, already read.
        files: what the sandbox gets in its work dir: ``{relative name: host path}``.
        options: limits.

    Raises:
        GraderFailure: the worker could not start before any learner code ran.
    """
    accounting = account(spec, nb)
    if options.sandbox.data_dir is None:
        # NB: the worker sees the datasets without the test split (hidden ground truth).
        from dataclasses import replace

        from infralab.grading.sandbox._learner_data import learner_data_dir

        options = replace(options, sandbox=replace(options.sandbox, data_dir=learner_data_dir()))
    statuses: dict[str, tuple[str, str | None]] = {
        gid: (st, None) for gid, st in accounting.status.items()
    }
    if options.only_tasks is not None:
        for gc in spec.grade_cells:
            if gc.task not in options.only_tasks and gc.grade_id:
                statuses[gc.grade_id] = ("skipped", None)
    # NB: two passes, each on a fresh worker. Hidden probes must be evaluated by the worker,
    # so learner code sees them; if a visible test ran after them on the same worker, its
    # failure message could carry them out. So every visible grade cell is judged first, and
    # the hidden ones afterwards on a new worker whose only output is pass/fail per cell.
    visible = _walk(spec, accounting, files, options, statuses, hidden=False)
    hidden = _walk(spec, accounting, files, options, statuses, hidden=True)
    flags = list(accounting.flags)
    info = sandbox_info(options.sandbox)
    if visible is not None:
        flags += visible.session.flags
        info = visible.session.info
        if visible.timed_out:
            flags.append(f"notebook time limit of {options.notebook_timeout:g}s reached")
    if hidden is not None:
        if visible is None:
            info = hidden.session.info
        if hidden.session.flags or hidden.timed_out:
            # What happened to the worker during hidden tests is learner-controlled: say only
            # that something did, never what (no labels, exit codes or output).
            flags.append("hidden tests: the worker failed or timed out (details withheld)")
    flags += info.flags()
    tasks = []
    score = 0.0
    for gc in spec.grade_cells:
        gid = gc.grade_id or ""
        status, message = statuses.get(gid, ("error", "not graded"))
        max_points = float(gc.points or 0.0)
        points = max_points if status == "pass" else 0.0
        score += points
        entry: dict[str, Any] = {
            "grade_id": gid,
            "task": gc.task,
            "hidden": gc.hidden,
            "points": points,
            "max_points": max_points,
            "status": status,
        }
        if not gc.hidden and message and status != "pass":
            entry["message"] = message
        tasks.append(entry)
    return {
        "lab": spec.lab,
        "score": score,
        "max_score": spec.max_score,
        "tasks": tasks,
        "flags": flags,
        "sandbox": info.as_dict(),
    }
