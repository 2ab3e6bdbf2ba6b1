"""Does ``infralab check`` give the same verdict as ``infralab grade`` on the same notebook?

The most common thing a learner does is put a helper function in a cell of their own above a
solution cell. Grading used to ignore added cells (``NameError``, 0 points) while ``check``
said PASS; now added cells run in the worker in notebook order, so both agree.
"""

from __future__ import annotations

import copy

import nbformat

from infralab.grading._check import check_notebook
from infralab.grading._course import write_notebook_text
from infralab.grading._lab import make_submission, reference_solutions
from infralab.grading.grade._grade import default_options, grade_notebook
from infralab.grading.grade._judge import account

HELPER = "def _total(xs):\n    return sum(xs)\n"
USES_HELPER = (
    "def mean(xs):\n"
    '    """Arithmetic mean of a non-empty list of numbers."""\n'
    "    if not xs:\n"
    '        raise ValueError("mean of an empty list")\n'
    "    return _total(xs) / len(xs)\n"
)


def _with_helper(spec):
    solutions = reference_solutions(spec)
    solutions["task1-solution"] = USES_HELPER
    nb = make_submission(spec, solutions)
    nb = copy.deepcopy(nb)
    at = next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == "task1-solution"
    )
    helper = nbformat.v4.new_code_cell(HELPER)
    helper["id"] = "my-helper"
    nb.cells.insert(at, helper)
    return nb


def test_added_cell_is_anchored_before_the_cell_it_precedes(spec):
    nb = _with_helper(spec)
    acc = account(spec, nb)
    solution_index = next(c.index for c in spec.source_cells if c.grade_id == "task1-solution")
    assert acc.extra == {solution_index: [HELPER]}
    assert acc.flags == ["extra cells run: 1"]


def test_helper_cell_passes_in_check_and_in_grade(course, spec, sandbox, tmp_path):
    nb = _with_helper(spec)
    path = tmp_path / "t0-toy.ipynb"
    path.write_text(write_notebook_text(nb), encoding="utf-8")

    result = grade_notebook(course, path, lab="t0-toy", options=default_options(cell_timeout=30))
    graded = {t["grade_id"]: t["status"] for t in result["tasks"]}
    assert graded == {
        "task1-visible": "pass",
        "task1-hidden": "pass",
        "task2-visible": "pass",
        "task2-hidden": "pass",
    }, result
    assert result["score"] == result["max_score"]

    report = check_notebook(path)
    checked = {v["grade_id"]: v["status"] for t in report["tasks"] for v in t["visible"]}
    assert checked == {"task1-visible": "pass", "task2-visible": "pass"}, report
    for gid, status in checked.items():
        assert graded[gid] == status


def test_helper_cell_below_its_use_fails_in_both(course, spec, sandbox, tmp_path):
    """Order matters the same way in both: a helper defined after the test is not seen."""
    solutions = reference_solutions(spec)
    solutions["task1-solution"] = USES_HELPER
    nb = make_submission(spec, solutions)
    helper = nbformat.v4.new_code_cell(HELPER)
    helper["id"] = "late-helper"
    nb.cells.append(helper)
    path = tmp_path / "t0-toy.ipynb"
    path.write_text(write_notebook_text(nb), encoding="utf-8")

    result = grade_notebook(course, path, lab="t0-toy", options=default_options(cell_timeout=30))
    graded = {t["grade_id"]: t["status"] for t in result["tasks"]}
    assert graded["task1-visible"] == "fail" and graded["task1-hidden"] == "fail", result
    assert graded["task2-visible"] == "pass"

    report = check_notebook(path)
    checked = {v["grade_id"]: v["status"] for t in report["tasks"] for v in t["visible"]}
    assert checked["task1-visible"] == graded["task1-visible"]
    assert checked["task2-visible"] == graded["task2-visible"]
