"""Grading on Dask: the same JSON as local grading, a lost worker retried without doubling."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import threading
import time
from dataclasses import replace

import pytest
from cohort_helpers import LAB, write_cohort

from infralab.grading.cli import main
from infralab.grading.cohort import (
    ClusterError,
    GradingCluster,
    Ledger,
    grade_on_worker,
    parse_cluster,
)
from infralab.grading.cohort._cluster import WorkerTask
from infralab.grading.grade._grade import GradeOptions, grade_paths
from infralab.grading.grade._judge import JudgeOptions


def test_cluster_forms_are_checked_and_named(capsys, course):
    assert parse_cluster("local:3") == ("local", 3)
    assert parse_cluster("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "local:two", "local:"):
        with pytest.raises(ClusterError, match=f"--cluster {bad}"):
            parse_cluster(bad)
    code = main(["--course", str(course.root), "grade", str(course.root / "x"), "--cluster",
                 "local:-1", "--no-sandbox"])  # fmt: skip
    assert code == 2
    assert "--cluster local:-1: expected local:N" in capsys.readouterr().err


def test_unreachable_scheduler_is_a_named_error():
    with pytest.raises(ClusterError, match="cannot reach a Dask scheduler"):
        GradingCluster("tcp://127.0.0.1:9", connect_timeout=1.0)


def test_a_worker_with_another_lab_source_refuses_the_task(course, spec):
    task = WorkerTask(
        course_root=str(course.root),
        lab=LAB,
        source_sha256="0" * 64,  # not what this course holds
        shown="learner/t0-toy.ipynb",
        text="{}",  # never read: the source check comes first
        files={},
        judge=JudgeOptions(),
    )
    kind, message = grade_on_worker(task)
    assert kind == "grader-failure"
    assert "differs from the grader's" in message and LAB in message


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_local_cluster_grading_equals_local_grading_byte_for_byte(
    sandbox, course, spec, tmp_path, capfd
):
    root = write_cohort(spec, tmp_path / "submitted", ["full", "none", "task1", "tampered"])
    (root / "learner-04").mkdir()
    (root / "learner-04" / f"{LAB}.ipynb").write_text("{not json")  # an input error too
    on_dask = tmp_path / "dask-course"
    shutil.copytree(course.root, on_dask)

    args = [str(root), "--json", "--no-gradebook"]
    assert main(["--course", str(course.root), "grade", *args, "--workers", "2"]) == 2
    local_out, local_err = capfd.readouterr()
    assert main(["--course", str(on_dask), "grade", *args, "--cluster", "local:2"]) == 2
    dask_out, dask_err = capfd.readouterr()

    assert len(local_out.splitlines()) == 4
    assert dask_out == local_out  # byte for byte
    errors = [line for line in dask_err.splitlines() if line.startswith("infralab: error:")]
    assert len(errors) == 1 and "learner-04/t0-toy.ipynb: " in errors[0]
    assert errors == [line for line in local_err.splitlines() if line.startswith("infralab: e")]
    assert "graded 4, skipped 0, errors 1, grader faults 0, flagged 1 (tampered 1)" in dask_err

    def recorded(root_dir):
        with Ledger(f"sqlite:///{root_dir / 'grader' / 'ledger.db'}") as ledger:
            return sorted((repr(e.key), e.result["score"]) for e in ledger.entries())

    assert recorded(on_dask) == recorded(course.root)  # results flowed back to the ledger


def _executing(dask_worker) -> list[str]:
    return [str(ts.key) for ts in dask_worker.state.executing]


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_a_worker_killed_mid_grading_is_retried_and_recorded_once(sandbox, course, spec, tmp_path):
    from distributed import Client, LocalCluster

    root = write_cohort(spec, tmp_path / "submitted", ["slow-full", "full", "slow-full", "none"])
    local_course = tmp_path / "local-course"
    shutil.copytree(course.root, local_course)
    options = GradeOptions(workers=2, gradebook=False, ledger=True)
    from infralab.grading._course import find_course

    expected = [o.result for o in grade_paths(find_course(local_course), [root], options)]
    assert [r["score"] for r in expected] == [20.0, 20.0, 20.0, 0.0]

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=0,
        ) as cluster,  # fmt: skip
        Client(cluster) as client,
    ):
        got: list = []
        failure: list = []

        def run() -> None:
            try:
                on_dask = replace(options, cluster=cluster.scheduler_address)
                got.extend(o.result for o in grade_paths(course, [root], on_dask))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failure.append(exc)

        grading = threading.Thread(target=run)
        grading.start()
        # Kill a worker once it has been grading one task for over 2 s (a slow submission;
        # the others take well under a second), i.e. in the middle of that grading.
        first_seen: dict[tuple[str, str], float] = {}
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and grading.is_alive():
            for address, keys in client.run(_executing).items():
                for key in keys:
                    seen = first_seen.setdefault((address, key), time.monotonic())
                    if time.monotonic() - seen > 2.0:
                        victim = address
            time.sleep(0.1)
        assert victim is not None, "no slow grading seen on a worker"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        grading.join(timeout=300)
        assert not grading.is_alive() and not failure, failure

    assert got == expected  # every submission once, as graded locally
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        entries = list(ledger.entries())
    assert sorted(e.key.learner for e in entries) == [f"learner-{i:02d}" for i in range(4)]
    digest = hashlib.sha256
    assert {e.key.submission_sha256 for e in entries} == {
        digest((root / f"learner-{i:02d}" / LAB / f"{LAB}.ipynb").read_bytes()).hexdigest()
        for i in range(4)
    }


def test_a_worker_result_that_does_not_fit_the_lab_is_refused(spec):
    from infralab.grading.cohort._cluster import result_problem

    tasks = [
        {"grade_id": gc.grade_id, "points": 0.0, "max_points": float(gc.points or 0.0)}
        for gc in spec.grade_cells
    ]
    good = {"lab": spec.lab, "score": 0.0, "tasks": tasks}
    assert result_problem(spec, good) is None
    full = [{**t, "points": t["max_points"]} for t in tasks]
    assert result_problem(spec, {**good, "tasks": full, "score": spec.max_score}) is None
    assert "differ" in result_problem(spec, {**good, "tasks": tasks[:-1]})
    inflated = [{**tasks[0], "max_points": 100.0}, *tasks[1:]]
    assert "differ" in result_problem(spec, {**good, "tasks": inflated})
    half = [{**tasks[0], "points": tasks[0]["max_points"] / 2}, *tasks[1:]]
    assert "neither 0" in result_problem(spec, {**good, "tasks": half})
    assert "add up" in result_problem(spec, {**good, "score": 5.0})
    assert result_problem(spec, "pwned") == "not a result"
