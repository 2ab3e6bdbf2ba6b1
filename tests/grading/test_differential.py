"""Differential hidden tests and input variants.

Does ``reference(snippet)`` evaluate on the reference solution in its own worker (never in
the learner's process), so a hidden cell can compare the learner with the reference on
generated inputs? And do inputs drawn from ``variant_rng`` change with the variant seed, so
that a table of answers recorded under one seed is worth nothing under another?
"""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest
from stubs.replay import REPLAY

from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.grade._grade import default_options, grade_notebook

pytestmark = pytest.mark.slow

DIFFERENTIAL = '''\
"""Does mean agree with the reference on generated inputs (lengths 1 to 6, signs mixed)?"""
from infralab.grading import probe, reference, variant_rng

### BEGIN HIDDEN TESTS
rng = variant_rng("task1-hidden2")
cases = [[round(rng.uniform(-5, 5), 3) for _ in range(rng.randrange(1, 7))] for _ in range(25)]
snippet = f"[mean(xs) for xs in {cases!r}]"
got, want = probe(snippet), reference(snippet)
assert got == want, "mean differs from the reference on a generated input"
### END HIDDEN TESTS
'''


OFF_BY_ONE = "def mean(xs):\n    if not xs:\n        raise ValueError()\n    return sum(xs) / (len(xs) + 1)\n"


@pytest.fixture
def diff_spec(course):
    path = course.source_path("t0-toy")
    nb = nbformat.read(path, as_version=4)
    at = next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == "task1-hidden"
    )
    cell = nbformat.v4.new_code_cell(DIFFERENTIAL)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "task1-hidden2",
        "points": 5,
        "schema_version": 3,
    }
    nb.cells.insert(at + 1, cell)
    nbformat.write(nb, path)
    return load_lab(course, "t0-toy")


def _statuses(course, nb, tmp_path, seed=0):
    options = default_options(cell_timeout=60, variant_seed=seed)
    result = grade_notebook(course, nb, options=options, lab="t0-toy", workdir=tmp_path)
    return {t["grade_id"]: t["status"] for t in result["tasks"]}


@pytest.mark.needs_bwrap
def test_differential_cell_passes_the_reference_and_fails_a_mutant(
    sandbox, course, diff_spec, tmp_path
):
    reference = make_submission(diff_spec, reference_solutions(diff_spec))
    assert _statuses(course, reference, tmp_path)["task1-hidden2"] == "pass"
    assert _statuses(course, reference, tmp_path, seed=12345)["task1-hidden2"] == "pass"
    mutant = make_submission(
        diff_spec, {**reference_solutions(diff_spec), "task1-solution": OFF_BY_ONE}
    )
    assert _statuses(course, mutant, tmp_path)["task1-hidden2"] == "fail"


@pytest.mark.needs_bwrap
def test_a_replay_table_from_one_variant_is_worth_nothing_under_another(
    sandbox, course, diff_spec, tmp_path
):
    # Record every hidden snippet of the differential cell with its answer, under seed 0.
    from infralab.grading.grade._probe import variant_rng

    rng = variant_rng("task1-hidden2")  # seed 0 outside a judge
    cases = [[round(rng.uniform(-5, 5), 3) for _ in range(rng.randrange(1, 7))] for _ in range(25)]
    snippet = f"[mean(xs) for xs in {cases!r}]"
    answer = [sum(xs) / len(xs) for xs in cases]
    table = {hashlib.sha256(snippet.encode()).hexdigest(): json.dumps(answer)}
    replay = make_submission(diff_spec, {"task1-solution": REPLAY.format(table=json.dumps(table))})
    assert (
        _statuses(course, replay, tmp_path, seed=0)["task1-hidden2"] == "pass"
    )  # the table works...
    assert (
        _statuses(course, replay, tmp_path, seed=987654)["task1-hidden2"] != "pass"
    )  # ...not here


def test_reference_in_a_kernel_evaluates_there_and_the_variant_is_zero():
    import __main__
    from infralab.grading import reference, variant_rng, variant_seed

    __main__.__dict__["_diff_probe_value"] = 41
    try:
        assert reference("_diff_probe_value + 1") == 42
    finally:
        del __main__.__dict__["_diff_probe_value"]
    assert variant_seed() == 0
    assert variant_rng("x").random() == variant_rng("x").random()
    assert variant_rng("x").random() != variant_rng("y").random()
