"""account(): the learner's notebook against the release, before anything runs."""

from __future__ import annotations

import copy

import nbformat
import pytest

from infralab.grading._course import CourseError
from infralab.grading._lab import load_mutants, make_submission, recognise_lab
from infralab.grading.grade._judge import account


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_released_and_reference_are_clean(spec, released, reference):
    for nb in (released, reference):
        acc = account(spec, nb)
        assert acc.status == {} and acc.flags == [] and acc.extra_cells == 0
        assert set(acc.solutions) == {"task1-solution", "task2-solution"}


def test_added_and_edited_unlocked_cells_are_counted_and_run_in_order(spec, reference):
    nb = copy.deepcopy(reference)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import os"))
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("my notes"))  # markdown is harmless
    nb.cells.insert(0, nbformat.v4.new_code_cell("   "))  # blank cells too
    demo = next(c for c in nb.cells if c.source.startswith("[mean("))
    demo.source = "mean([5])"
    acc = account(spec, nb)
    assert acc.extra_cells == 2
    assert acc.flags == ["extra cells run: 2"]
    assert acc.status == {}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda nb: nb.cells.remove(_cell(nb, "task1-hidden")), {"task1-hidden": "missing"}),
        (
            lambda nb: _cell(nb, "task1-hidden").metadata.nbgrader.update(grade_id="x"),
            {"task1-hidden": "tampered"},
        ),
        (
            lambda nb: setattr(_cell(nb, "task2-visible"), "source", ""),
            {"task2-visible": "tampered"},
        ),
        (
            lambda nb: _cell(nb, "task2-visible").metadata.nbgrader.update(points=1000),
            {"task2-visible": "tampered"},
        ),
        (
            lambda nb: _cell(nb, "task2-visible").metadata.nbgrader.update(grade=False),
            {"task2-visible": "tampered"},
        ),
        (
            lambda nb: _cell(nb, "task1-solution").metadata.nbgrader.update(grade=True, points=9),
            {"task1-visible": "tampered", "task1-hidden": "tampered"},
        ),
        (
            lambda nb: setattr(_cell(nb, "setup"), "source", "TOLERANCE = 1"),
            {},
        ),
    ],
    ids=["deleted", "renamed", "blanked", "points", "unflagged", "solution-as-grade", "locked"],
)
def test_edits_settle_statuses(spec, reference, edit, expected):
    nb = copy.deepcopy(reference)
    edit(nb)
    acc = account(spec, nb)
    assert acc.status == expected
    assert acc.flags, "every edit leaves a flag"


def test_retyped_grade_cell(spec, reference):
    nb = copy.deepcopy(reference)
    cell = _cell(nb, "task2-hidden")
    cell.cell_type = "markdown"
    assert account(spec, nb).status == {"task2-hidden": "tampered"}


def test_malformed_learner_metadata_is_tampering_not_a_crash(spec, reference):
    nb = copy.deepcopy(reference)
    _cell(nb, "task1-visible").metadata.nbgrader["points"] = "lots"
    _cell(nb, "task2-visible").metadata["nbgrader"] = "garbage"
    acc = account(spec, nb)
    assert acc.status["task1-visible"] == "tampered"
    assert acc.status["task2-visible"] == "tampered"  # its source sits in a cell without an id


def test_learner_solution_code_is_what_runs(spec):
    nb = make_submission(spec, {"task2-solution": "def count_words(t):\n    return {}\n"})
    acc = account(spec, nb)
    assert acc.solutions["task2-solution"] == "def count_words(t):\n    return {}\n"
    assert "raise NotImplementedError()" in acc.solutions["task1-solution"]


def test_make_submission_refuses_unknown_cells(spec):
    with pytest.raises(CourseError, match="not a solution cell"):
        make_submission(spec, {"task9-solution": "x"})


def test_lab_is_recognised_from_grade_ids(course, spec):
    assert recognise_lab(course, {"task1-visible", "task2-hidden"}) == "t0-toy"
    assert recognise_lab(course, {"nothing"}) is None


def test_mutant_headers_are_checked(spec, tmp_path):
    (tmp_path / "ok.py").write_text(
        "# mutant: wrong\n# replaces: task1-solution\n# loses: task1\ndef mean(xs):\n    return 0\n"
    )
    [m] = load_mutants(tmp_path, spec)
    assert (m.replaces, m.loses, m.code) == (
        "task1-solution",
        "task1",
        "def mean(xs):\n    return 0\n",
    )
    (tmp_path / "bad.py").write_text("# mutant: no target\ndef mean(xs):\n    return 0\n")
    with pytest.raises(CourseError, match=r"bad\.py: line 2: missing '# replaces"):
        load_mutants(tmp_path, spec)
    (tmp_path / "bad.py").write_text("# mutant: x\n# replaces: task7-solution\n# loses: task1\n")
    with pytest.raises(CourseError, match="task7-solution' is not a solution cell"):
        load_mutants(tmp_path, spec)
