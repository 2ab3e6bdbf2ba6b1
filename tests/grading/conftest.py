"""Fixtures for the grading engine's unit tests: a private copy of the fixture course."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infralab.grading._course import Course, find_course
from infralab.grading._lab import LabSpec, load_lab, make_submission, reference_solutions
from infralab.grading.sandbox._sandbox import bwrap_problem

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "course"
LAB = "t0-toy"


@pytest.fixture
def course(tmp_path) -> Course:
    """A writable copy of tests/fixtures/course with the repo's nbgrader_config.py."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return find_course(root)


@pytest.fixture
def spec(course) -> LabSpec:
    return load_lab(course, LAB)


@pytest.fixture
def reference(spec):
    return make_submission(spec, reference_solutions(spec))


@pytest.fixture
def released(spec):
    return make_submission(spec)


@pytest.fixture
def sandbox():
    """Fail (never skip) when bubblewrap is not usable: these tests are about the sandbox."""
    problem = bwrap_problem()
    if problem is not None:
        pytest.fail(f"needs the bubblewrap sandbox: {problem} (apt-get install bubblewrap)")
