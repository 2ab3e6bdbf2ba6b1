"""nbgrader's own workflow around `infralab grade`, end to end in a temporary course:
release, fetch, submit and collect through nbgrader's exchange (the course's configured
grader/exchange/, not a system path), `infralab grade` on the collected submissions, then
`nbgrader export` and the formgrader (a real Jupyter server) showing the grades."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cohort_helpers import LAB, json_lines, submission_of
from servers import free_port

from infralab.grading._course import find_course, write_notebook_text
from infralab.grading._lab import load_lab

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
COURSE_ID = "agent-infra-lab"  # nbgrader_config.py's CourseDirectory.course_id
LEARNERS = {"alice": ("full", 20.0), "bob": ("none", 0.0), "cy": ("task1", 10.0)}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # nbgrader shells out to alembic when it creates the gradebook: the venv's bin/ on PATH
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("INFRALAB_COURSE", None)
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_release_fetch_submit_collect_grade_export_formgrader(sandbox, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "course", course)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    exchange = course / "grader" / "exchange"  # nbgrader_config.py's Exchange.root

    _run([str(BIN / "infralab"), "--course", str(course), "build", LAB], course)
    _run([str(BIN / "nbgrader"), "release_assignment", LAB], course)
    assert (exchange / COURSE_ID / "outbound" / LAB / f"{LAB}.ipynb").is_file()

    spec = load_lab(find_course(course), LAB)
    for learner, (kind, _) in LEARNERS.items():
        home = tmp_path / f"home-{learner}"
        home.mkdir()
        where = [f"--Exchange.root={exchange}", f"--Exchange.assignment_dir={home}"]
        _run([str(BIN / "nbgrader"), "fetch_assignment", LAB, "--course", COURSE_ID, *where],
             home)  # fmt: skip
        fetched = home / LAB / f"{LAB}.ipynb"
        assert fetched.is_file()
        fetched.write_text(write_notebook_text(submission_of(spec, kind, learner)))
        _run([str(BIN / "nbgrader"), "submit", LAB, "--course", COURSE_ID,
              f"--student={learner}", *where], home)  # fmt: skip
    _run([str(BIN / "nbgrader"), "collect", LAB], course)
    submitted = course / "grader" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(LEARNERS)

    out = _run([str(BIN / "infralab"), "--course", str(course), "grade", str(submitted),
                "--json", "--workers", "2"], course).stdout  # fmt: skip
    results = {r["learner"]: r["score"] for r in json_lines(out)}
    assert results == {learner: score for learner, (_, score) in LEARNERS.items()}

    _run([str(BIN / "nbgrader"), "export"], course)
    with open(course / "grader" / "grades.csv") as f:  # nbgrader_config.py: CsvExportPlugin.to
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert exported == results

    # the formgrader: nbgrader's server extension in a Jupyter server on this course
    port, token = free_port(), "t" * 32
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_CONFIG_PATH": str(course)}  # fmt: skip
    server = subprocess.Popen(
        [
            str(BIN / "jupyter"),
            "server",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={course}",
            "--ServerApp.open_browser=False",
            "--allow-root",  # CI grades as root
        ],
        cwd=course,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
    )
    try:
        url = f"http://127.0.0.1:{port}/formgrader/api/submissions/{LAB}?token={token}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    shown = json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError((tmp_path / "server.log").read_text()[-3000:]) from None
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    graded = {s["student"]: s["score"] for s in shown if s["autograded"]}
    assert graded == results
    assert all(s["max_score"] == 20.0 for s in shown)
