"""Mutation score (issue 9): the operators of _mutate, and a sampled `infralab validity` run."""

from __future__ import annotations

import ast
import json
import textwrap

import pytest

from infralab.grading.cli import main
from infralab.grading.validity._mutate import (
    OPERATORS,
    generate_mutants,
    mutate_cell,
    strip_markers,
)
from infralab.grading.validity._validity import load_equivalents, select_mutants

GID = "task1-solution"


def _cell(body: str, head: str = "def f(a, b, xs):") -> str:
    """A solution cell: ``body`` inside a function, between the solution markers."""
    inner = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return f"{head}\n    ### BEGIN SOLUTION\n{inner}\n    ### END SOLUTION\n"


def _mutants(body: str, operator: str | None = None):
    cell = _cell(body)
    out = mutate_cell(cell, GID)
    return cell, [m for m in out if operator is None or m.operator == operator]


def _bodies(mutants) -> set[str]:
    """The mutated function bodies (between the markers), one line each."""
    out = set()
    for m in mutants:
        body = m.cell.split("### BEGIN SOLUTION\n")[1].split("    ### END SOLUTION")[0]
        out.add(" ".join(line.strip() for line in body.splitlines()))
    return out


@pytest.mark.parametrize(
    ("operator", "body", "expected"),
    [
        ("cmp", "return a < b", {"return a >= b", "return a > b"}),
        ("cmp", "return a == b", {"return a != b"}),
        ("cmp", "return a in xs", {"return a not in xs"}),
        ("cmp", "return a is None", {"return a is not None"}),
        ("boundary", "return a < b", {"return a <= b"}),
        ("boundary", "return a >= b", {"return a > b"}),
        ("arith", "return a + b", {"return a - b"}),
        ("arith", "return a / b", {"return a * b", "return a // b"}),
        ("arith", "a %= b", {"a //= b"}),
        ("const", "return a + 5", {"return a + 6", "return a + 4", "return a + 0"}),
        ("const", "return a * 0", {"return a * 1", "return a * -1"}),
        ("negate", "if a:\n    b = 1", {"if not a: b = 1"}),
        ("negate", "while not a:\n    a = b", {"while a: a = b"}),
        ("negate", "return a if b else xs", {"return a if not b else xs"}),
        ("delete", "a = 1\nreturn a", {"pass return a", "a = 1 pass"}),
        ("arg", "return max(a, b, key=abs)", {"return max(b, key=abs)", "return max(a, key=abs)",
                                              "return max(a, b)"}),
        ("return", "return [a]", {"return None", "return []"}),
        ("return", "return a", {"return None"}),
        ("return", "return a < b", {"return None", "return False"}),
        ("boolop", "return a and b", {"return a or b"}),
        ("bool", "return True", {"return False"}),
    ],
)  # fmt: skip
def test_each_operator_makes_the_expected_mutants(operator, body, expected):
    cell, mutants = _mutants(body, operator)
    assert _bodies(mutants) == expected
    for m in mutants:
        assert m.cell != cell and m.id.startswith(f"{operator}:{GID}:")
        ast.parse(m.cell)  # still parses
        assert "### BEGIN SOLUTION" in m.cell and "### END SOLUTION" in m.cell
        assert "### BEGIN SOLUTION" not in m.code and m.code == strip_markers(m.cell)
        assert m.description.startswith(f"{GID} line {m.line}: ")


def test_every_operator_is_exercised():
    body = """
    if a < b and xs:
        a += 1
    return f(a, True) / 2
    """
    _, mutants = _mutants(body)
    assert {m.operator for m in mutants} == set(OPERATORS) - {"negate"} | {"negate"}


def test_only_the_solution_region_is_mutated():
    cell = (
        "LIMIT = 3\n\n\ndef f(a):\n"
        '    """Docstring."""\n'
        "    x = a + LIMIT\n"
        "    ### BEGIN SOLUTION\n"
        "    return x * 2\n"
        "    ### END SOLUTION\n"
    )
    mutants = mutate_cell(cell, GID)
    assert mutants and all(m.line == 8 for m in mutants)
    for m in mutants:  # the rest of the cell keeps its text, comments and layout
        assert m.cell.splitlines()[:7] == cell.splitlines()[:7]
        assert m.cell.splitlines()[8:] == cell.splitlines()[8:]
    assert mutate_cell("def f():\n    return 1\n", GID) == []  # no markers, nothing to mutate


def test_multiline_strings_keep_their_text_when_reindented():
    body = '''
    def g():
        """Two
        lines."""
        return 1
    return g() + 1
    '''
    cell, mutants = _mutants(body, "const")
    assert mutants
    want = ast.get_docstring(ast.parse(cell).body[0].body[0], clean=False)
    assert want is not None and "\n" in want
    for m in mutants:
        inner = ast.parse(m.code).body[0].body[0]
        assert ast.get_docstring(inner, clean=False) == want


def test_ids_are_stable_and_unique():
    body = """
    total = a + b + a
    return xs.count(a).bit_length(b) if total > 0 else f(a)(b)
    """
    first = mutate_cell(_cell(body), GID)
    again = mutate_cell(_cell(body), GID)
    assert [(m.id, m.cell) for m in first] == [(m.id, m.cell) for m in again]
    ids = [m.id for m in first]
    assert len(ids) == len(set(ids))
    assert all("+" not in i for i in ids)  # positions alone tell the mutants apart


def test_no_mutant_repeats_a_program_or_the_reference():
    cell, mutants = _mutants("return a + 0 - 1")
    dumps = [ast.dump(ast.parse(m.code)) for m in mutants]
    assert len(dumps) == len(set(dumps))
    assert ast.dump(ast.parse(strip_markers(cell))) not in dumps


def test_the_fixture_lab_mutants_and_sample_are_reproducible(spec):
    mutants = generate_mutants(spec)
    assert {m.task for m in mutants} == {"task1", "task2"}
    assert [m.id for m in mutants] == [m.id for m in generate_mutants(spec)]
    picked = select_mutants("t0-toy", mutants, sample=3, seed=1)
    assert len(picked) == 6
    assert picked == select_mutants("t0-toy", mutants, sample=3, seed=1)
    assert picked != select_mutants("t0-toy", mutants, sample=3, seed=2)


def test_equivalent_file_must_give_reasons(tmp_path):
    path = tmp_path / "equivalent.yaml"
    assert load_equivalents(path) == {}
    path.write_text('"cmp:task1-solution:4:7:0": "same on every input"\n')
    assert load_equivalents(path) == {"cmp:task1-solution:4:7:0": "same on every input"}
    path.write_text('"cmp:task1-solution:4:7:0": ""\n')
    with pytest.raises(Exception, match="one-line reason"):
        load_equivalents(path)


KNOWN_BAD = "return:task1-solution:6:4:0"  # mean returns None: every mean test fails
EQUIVALENT = "arg:task1-solution:5:25:0"  # listed in the fixture's equivalent.yaml


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_sampled_validity_run_on_the_fixture_course(sandbox, course, capsys):
    argv = ["--course", str(course.root), "validity", "t0-toy", "--mutate", "--sample", "6",
            "--seed", "1", "--workers", "2", "--json", "--mutant", KNOWN_BAD,
            "--check-equivalents", "--min-kill-rate", "0.9"]  # fmt: skip
    code = main(argv)
    report = json.loads(capsys.readouterr().out)
    (lab,) = report["labs"]
    assert lab["lab"] == "t0-toy" and lab["sampled"] is True
    assert lab["stale_equivalents"] == [] and report["below"] == []
    assert code == 0
    tasks = {t["task"]: t for t in lab["tasks"]}
    assert set(tasks) == {"task1", "task2"}
    for t in tasks.values():
        assert set(t) >= {"generated", "graded", "killed", "survived", "equivalent", "kill_rate"}
        assert 6 <= t["graded"] <= t["generated"]
        assert t["graded"] == t["killed"] + t["survived"] + t["equivalent"]
        assert t["kill_rate"] == t["killed"] / (t["graded"] - t["equivalent"])
    by_id = {m["id"]: m for m in lab["mutants"]}
    assert by_id[KNOWN_BAD]["status"] == "killed"
    assert by_id[KNOWN_BAD]["points"] < by_id[KNOWN_BAD]["max_points"]
    assert by_id[EQUIVALENT]["status"] == "equivalent"  # graded because it is listed


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_a_stale_equivalent_fails_the_check(sandbox, course, capsys):
    listed = course.root / "tests" / "mutants" / "t0-toy" / "equivalent.yaml"
    listed.write_text(f'"{KNOWN_BAD}": "wrongly listed"\n"const:task9-solution:1:1:0": "gone"\n')
    argv = ["--course", str(course.root), "validity", "t0-toy", "--mutate", "--sample", "1",
            "--check-equivalents"]  # fmt: skip
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert f"{KNOWN_BAD}: listed as equivalent but now killed" in captured.err
    assert "const:task9-solution:1:1:0: no longer generated" in captured.err
    assert "kill rate" in captured.out


def test_validity_needs_mutate(course, capsys):
    assert main(["--course", str(course.root), "validity", "t0-toy"]) == 2
    assert "--mutate" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_a_journal_resumes_a_stopped_run_and_forgets_a_changed_lab(
    sandbox, course, tmp_path, monkeypatch
):
    from infralab.grading.validity import _validity

    journal = tmp_path / "journal-t0-toy.jsonl"
    first = _validity.run_lab(course, "t0-toy", sample=1, seed=3, journal=journal)
    rows = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(o.mutant.id for o in first.outcomes)
    journal.write_text(journal.read_text() + '{"lab": "t0-toy", "id": "cut sh')  # killed mid-line

    def no_grading(*args, **kwargs):
        raise AssertionError("a journalled mutant was graded again")

    monkeypatch.setattr(_validity, "_grade_mutant", no_grading)
    again = _validity.run_lab(course, "t0-toy", sample=1, seed=3, journal=journal)
    assert [o.as_dict() for o in again.outcomes] == [o.as_dict() for o in first.outcomes]

    source = course.source_path("t0-toy")
    source.write_text(source.read_text() + "\n")  # any change to the lab: nothing reused
    with pytest.raises(AssertionError, match="graded again"):
        _validity.run_lab(course, "t0-toy", sample=1, seed=3, journal=journal)
