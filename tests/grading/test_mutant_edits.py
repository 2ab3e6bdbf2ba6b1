"""Are edit-style mutants applied exactly, and do broken ones fail loudly with the file named?"""

from pathlib import Path

import pytest

from infralab.grading._course import CourseError, find_course
from infralab.grading._lab import load_lab, load_mutants, reference_solutions

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "course"
HEADER = "# mutant: {what}\n# replaces: task1-solution\n# loses: task1\n"


@pytest.fixture(scope="module")
def spec():
    return load_lab(find_course(FIXTURE), "t0-toy")


def _write(tmp_path: Path, name: str, body: str, what: str = "a test mutant") -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(HEADER.format(what=what) + body)
    return path


def test_edits_are_applied_to_the_reference_cell(spec, tmp_path):
    _write(
        tmp_path,
        "floor",
        'EDITS = [("return sum(xs) / len(xs)", "return sum(xs) // len(xs)")]\n',
    )
    (mutant,) = load_mutants(tmp_path, spec)
    reference = reference_solutions(spec)["task1-solution"]
    assert mutant.code == reference.replace("/ len(xs)", "// len(xs)")
    assert mutant.code != reference and mutant.edits is not None


def test_edits_apply_in_order(spec, tmp_path):
    _write(
        tmp_path,
        "two",
        "EDITS = [\n"
        '    ("if not xs:", "if xs is None:"),\n'
        '    ("if xs is None:", "if xs == []:"),\n'
        "]\n",
    )
    (mutant,) = load_mutants(tmp_path, spec)
    assert "if xs == []:" in mutant.code and "if not xs:" not in mutant.code


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('EDITS = [("no such text", "x")]\n', r"EDITS\[0\]: the old text occurs 0 times"),
        ('EDITS = [("xs", "ys")]\n', r"EDITS\[0\]: the old text occurs \d+ times"),
        ('EDITS = [("if not xs:", "if not xs:")]\n', "leave the reference unchanged"),
        ("EDITS = []\n", "non-empty list of \\(old, new\\) string pairs"),
        ('EDITS = [("only one",)]\n', "string pairs"),
        ("EDITS = [(name, 'x')]\n", "literal list"),
    ],
)
def test_a_broken_edit_names_the_file_and_the_edit(spec, tmp_path, body, message):
    path = _write(tmp_path, "broken", body)
    with pytest.raises(CourseError, match=message) as err:
        load_mutants(tmp_path, spec)
    assert str(path) in str(err.value)


def test_a_whole_cell_mutant_still_works(spec, tmp_path):
    _write(tmp_path, "whole", "def mean(xs):\n    return 0\n")
    (mutant,) = load_mutants(tmp_path, spec)
    assert mutant.edits is None and mutant.code == "def mean(xs):\n    return 0\n"
