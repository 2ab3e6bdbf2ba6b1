"""Grading on a Dask distributed cluster: ``infralab grade --cluster local:N|ADDRESS``.

The grader process keeps everything that decides *what* is graded and *where results go*:
intake (safe copies), lab recognition, the ledger, the gradebook, the order of the output.
A Dask worker only judges: it receives the submission's bytes (the notebook and the files of
its folder, as staged by intake), re-stages them in a temporary directory of its own and
calls the same :func:`~infralab.grading.grade._judge.judge_submission` with the same options as
local grading, so each submission runs in its own bubblewrap sandbox on the worker's machine
and the result is the same, byte for byte in the JSON.

The workers need the course (the lab source notebooks with the hidden tests) at the same
path as the grader; a worker whose lab source differs (another checkout) refuses the task
instead of grading against other tests. A worker lost mid-task (killed, out of memory, its
machine gone) is Dask's to handle: the scheduler hands the task to another worker
(``distributed.scheduler.allowed-failures`` times). Either way the grader receives one result
per submission and records it once: a task run twice is never recorded twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infralab.grading._course import CourseError
from infralab.grading.grade._intake import display

if TYPE_CHECKING:
    from distributed import Client

    from infralab.grading.grade._grade import Prepared
    from infralab.grading.grade._judge import JudgeOptions

__all__ = ["ClusterError", "GradingCluster", "DaskJudge", "WorkerTask", "grade_on_worker",
           "parse_cluster", "result_problem"]  # fmt: skip


class ClusterError(CourseError):
    """``--cluster`` names no usable cluster (bad form, scheduler unreachable): exit 2."""


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """``local:N`` -> ``("local", N)``; anything else -> ``("address", spec)``.

    Raises:
        ClusterError: ``local:`` without a positive whole number of workers.
    """
    if spec.startswith("local:") or spec == "local":
        count = spec.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(
                f"--cluster {spec}: expected local:N with N worker processes (N >= 1)"
            )
        return "local", int(count)
    if not spec.strip():
        raise ClusterError("--cluster: empty scheduler address")
    return "address", spec


@dataclass(frozen=True)
class WorkerTask:
    """One submission as a Dask worker receives it: bytes and names, no grader paths."""

    course_root: str
    lab: str
    source_sha256: str  # the grader's lab source: the worker must hold the same
    shown: str  # the submission's name in messages
    text: str  # the notebook, as read by intake
    files: dict[str, bytes]  # what the sandbox's work dir gets (intake's names)
    judge: JudgeOptions


def grade_on_worker(task: WorkerTask) -> tuple[str, Any]:
    """Runs on a Dask worker: judge one submission in a sandbox of this machine.

    Returns ``("ok", result)`` or ``("grader-failure", message)``; a learner cannot make it
    return anything else (learner code runs in the sandbox, never in this process).
    """
    from infralab.grading._course import find_course, read_notebook
    from infralab.grading._lab import load_lab
    from infralab.grading.grade._judge import GraderFailure, judge_submission

    host = os.uname().nodename
    try:
        course = find_course(task.course_root, from_cwd=False)
        spec = load_lab(course, task.lab)
        here = hashlib.sha256(spec.source_path.read_bytes()).hexdigest()
        if here != task.source_sha256:
            return ("grader-failure", f"Dask worker on {host}: its source of lab {task.lab} "
                    f"differs from the grader's (sha256 {here[:12]} != "
                    f"{task.source_sha256[:12]}); the workers need the grader's course")  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="infralab-dask-") as tmp:
            files: dict[str, Path] = {}
            for name, data in task.files.items():
                target = Path(tmp, *name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                files[name] = target
            nb = read_notebook(task.shown, task.text)
            return ("ok", judge_submission(spec, nb, files, task.judge))
    except (GraderFailure, CourseError) as exc:
        return ("grader-failure", f"Dask worker on {host}: {exc}")


class DaskJudge:
    """Judges prepared submissions on a Dask cluster (a :data:`~._run.Judge`)."""

    def __init__(self, client: Client, course_root: Path) -> None:
        self.client = client
        self.course_root = str(course_root)

    def __call__(self, prep: Prepared) -> dict[str, Any]:
        from distributed import KilledWorker

        from infralab.grading.grade._judge import GraderFailure

        task = WorkerTask(
            course_root=self.course_root,
            lab=prep.lab,
            source_sha256=prep.source_sha256,
            shown=display(prep.sub.path),
            text=prep.intake.text,
            files={name: path.read_bytes() for name, path in prep.intake.files.items()},
            judge=prep.judge,
        )
        # pure=False: every submission is its own task, even two identical notebooks.
        future = self.client.submit(grade_on_worker, task, pure=False)
        try:
            kind, value = future.result()
        except KilledWorker as exc:
            raise GraderFailure(
                f"the Dask workers grading it died too often ({exc}); not graded"
            ) from None
        finally:
            future.release()
        if kind != "ok":
            raise GraderFailure(str(value))
        problem = result_problem(prep.spec, value)
        if problem:
            raise GraderFailure(f"the Dask worker's result is not usable: {problem}")
        return value


def result_problem(spec: Any, result: Any) -> str | None:
    """Why a judge result does not fit ``spec`` (None when it does).

    A worker is part of the grader, but it is another process, maybe another machine, with
    its own checkout: its answer is checked against what this grader knows of the lab (the
    grade cells and their points) before it is recorded.
    """
    if not isinstance(result, dict) or not isinstance(result.get("tasks"), list):
        return "not a result"
    cells = [(gc.grade_id or "", float(gc.points or 0.0)) for gc in spec.grade_cells]
    tasks = result["tasks"]
    try:
        got = [(t["grade_id"], float(t["max_points"])) for t in tasks]
        points = [float(t["points"]) for t in tasks]
    except (KeyError, TypeError, ValueError):
        return "a task entry without grade_id, points or max_points"
    if got != cells:
        return f"its grade cells or points differ from lab {spec.lab}'s"
    if any(p not in (0.0, m) for p, (_, m) in zip(points, got, strict=True)):
        return "a task scored neither 0 nor its points"
    if float(result.get("score", -1)) != sum(points) or result.get("lab") != spec.lab:
        return "its score or lab does not add up"
    return None


class GradingCluster:
    """A Dask client on a LocalCluster (``local:N``) or on a running scheduler (ADDRESS).

    ``local:N`` starts N worker processes with one thread each, on 127.0.0.1, no dashboard;
    they stop with the grader. Use as a context manager.

    Raises:
        ClusterError: bad ``spec``, or the scheduler cannot be reached.
    """

    def __init__(self, spec: str, *, connect_timeout: float = 30.0) -> None:
        import dask
        from distributed import Client

        kind, value = parse_cluster(spec)
        self.spec = spec
        self._cluster: Any = None
        if kind == "local":
            # Dask's statistical profiler samples every worker thread every 10 ms: CPU taken
            # from the sandboxes for a profile nobody reads here. The nannies hand this
            # config to their worker processes.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = self._local(int(value))
            self.client = Client(self._cluster)
        else:
            try:
                self.client = Client(str(value), timeout=connect_timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(
                    f"--cluster {spec}: cannot reach a Dask scheduler there ({exc})"
                ) from None

    @staticmethod
    def _local(workers: int) -> Any:
        from distributed import LocalCluster

        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # one sandbox per worker process at a time
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The sandboxes have their own memory limits (rlimits, cgroup); the nanny must not
            # restart a worker for memory its sandbox children use.
            memory_limit=0,
            silence_logs=logging.ERROR,
        )

    def threads(self) -> int:
        """Worker threads in the cluster now (each grades one submission at a time)."""
        info = self.client.scheduler_info()
        return sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())

    def judge(self, course_root: Path) -> DaskJudge:
        return DaskJudge(self.client, course_root)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> GradingCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
