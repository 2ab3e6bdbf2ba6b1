"""A fixed seeded sample of generated mutants per lab (issue 9): do the hidden tests kill them?

The full mutation score is `make validity` (every generated mutant; figures in
docs/validity.md). Here every lab grades a small sample per task, the same sample in every
run, so a change that weakens a lab's tests shows up in `make test`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infralab.grading._course import Course, find_course
from infralab.grading.validity._validity import run_lab

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = 1  # mutant per task
SEED = 2026

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]


@pytest.mark.parametrize("lab", Course(ROOT).lab_ids())
def test_sampled_generated_mutants_are_killed(sandbox_required, lab):
    report = run_lab(find_course(ROOT), lab, sample=SAMPLE, seed=SEED, workers=2)
    assert not report.errors, [o.as_dict() for o in report.errors]
    assert not report.stale, report.stale
    survivors = [
        f"{o.mutant.id}: {o.mutant.description}" for t in report.tasks for o in t.survivors
    ]
    assert not survivors, "generated mutants that keep every point of their task:\n" + "\n".join(
        survivors
    )


@pytest.fixture
def sandbox_required():
    from infralab.grading.sandbox._sandbox import bwrap_problem

    problem = bwrap_problem()
    if problem is not None:
        pytest.fail(f"needs the bubblewrap sandbox: {problem} (apt-get install bubblewrap)")
