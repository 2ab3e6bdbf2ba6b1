"""kill -9 of the grader at several points of a 40-submission run, then a rerun: every result
exactly once, equal to an uninterrupted run, in the ledger and in the gradebook."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cohort_helpers import LAB, json_lines, write_cohort

from infralab.grading.cohort import Ledger

INFRALAB = str(Path(sys.executable).parent / "infralab")
KINDS = ["full", "none", "task1", "task2", "tampered"] * 8  # 40 submissions
KILL_AT = (1, 9, 22, 33)  # ledger rows recorded when the grader is killed


def _grade(course_root: Path, submissions: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            INFRALAB,
            "--course",
            str(course_root),
            "grade",
            str(submissions),
            "--json",
            "--workers",
            "2",
        ],  # fmt: skip
        stdout=out.open("w"),
        stderr=out.with_suffix(".err").open("w"),
        start_new_session=True,  # its sandboxes in one process group, cleaned up after
    )


def _rows(ledger_db: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{ledger_db}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return db.execute("SELECT count(*) FROM infralab_ledger").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        db.close()


def _scores(course_root: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_root / 'grader' / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(LAB)}


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_sigkill_at_several_points_then_rerun_loses_and_doubles_nothing(
    sandbox, course, spec, tmp_path
):
    submissions = write_cohort(spec, tmp_path / "submitted", KINDS)
    baseline = tmp_path / "baseline-course"
    shutil.copytree(course.root, baseline)

    # the uninterrupted run, on its own copy of the course
    proc = _grade(baseline, submissions, tmp_path / "baseline.jsonl")
    assert proc.wait(timeout=600) == 0, (tmp_path / "baseline.err").read_text()
    expected = {r["learner"]: r for r in json_lines((tmp_path / "baseline.jsonl").read_text())}
    assert len(expected) == 40
    assert {0.0, 10.0, 20.0} < {r["score"] for r in expected.values()}
    assert sum(any(t["status"] == "tampered" for t in r["tasks"]) for r in expected.values()) == 8

    ledger_db = course.grader / "ledger.db"
    killed_at = []
    for i, threshold in enumerate(KILL_AT):
        proc = _grade(course.root, submissions, tmp_path / f"killed-{i}.jsonl")
        try:
            while _rows(ledger_db) < threshold and proc.poll() is None:
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)  # the grader alone, as a crash would
            assert proc.wait(timeout=60) == -signal.SIGKILL, "the run ended before the kill"
        finally:
            try:  # what it left running (sandboxes die with their parent; be sure)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed_at.append(_rows(ledger_db))
    assert killed_at == sorted(killed_at) and killed_at[-1] < 40, killed_at

    proc = _grade(course.root, submissions, tmp_path / "final.jsonl")
    assert proc.wait(timeout=600) == 0, (tmp_path / "final.err").read_text()
    final = json_lines((tmp_path / "final.jsonl").read_text())
    assert sorted(r["learner"] for r in final) == sorted(expected)  # each exactly once
    skipped = [r for r in final if r.get("ledger", {}).get("skipped")]
    assert len(skipped) == killed_at[-1]  # what the killed runs recorded is not graded again
    for result in final:
        result.pop("ledger", None)
        assert result == expected[result["learner"]]
    summary = (tmp_path / "final.err").read_text()
    assert f"graded {40 - killed_at[-1]}, skipped {killed_at[-1]}" in summary

    with Ledger(f"sqlite:///{ledger_db}") as ledger:  # checksums of every row verified
        entries = list(ledger.entries())
    assert len(entries) == 40
    assert sorted(e.key.learner for e in entries) == sorted(expected)
    assert all(e.gradebook_synced for e in entries)
    for entry in entries:
        assert entry.result == expected[entry.key.learner]
    assert (
        _scores(course.root)
        == _scores(baseline)
        == {learner: r["score"] for learner, r in expected.items()}
    )
