"""No silent fallback: without bubblewrap, grade and check refuse unless told --no-sandbox.

bubblewrap is hidden from the grader here (its tool lookup finds no ``bwrap``), so these run on
any machine; the one test that grades in the sandbox needs it and fails loudly without it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3

import pytest

from infralab.grading._course import write_notebook_text
from infralab.grading.cli import main
from infralab.grading.grade._gradebook import sandbox_of
from infralab.grading.grade._judge import GraderFailure, JudgeOptions
from infralab.grading.sandbox import _sandbox

LAB = "t0-toy"


@pytest.fixture
def no_bwrap(monkeypatch):
    """bubblewrap is not installed, as far as the grader can tell."""
    real = _sandbox._tool
    monkeypatch.setattr(_sandbox, "_tool", lambda name: None if name == "bwrap" else real(name))
    _sandbox.bwrap_problem.cache_clear()
    yield
    _sandbox.bwrap_problem.cache_clear()


def _submit(course, learner, nb):
    path = course.grader / "submitted" / learner / LAB / f"{LAB}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(write_notebook_text(nb))
    return path


def _comments(course, learner: str) -> set[str]:
    with sqlite3.connect(course.gradebook) as db:
        rows = db.execute(
            "SELECT comment.auto_comment FROM comment "
            "JOIN submitted_notebook ON comment.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id WHERE submitted_assignment.student_id = ?",
            (learner,),
        ).fetchall()
    return {r[0] for r in rows}


def _says_how_to_install(err: str, command: str) -> None:
    assert "bubblewrap missing" in err
    assert f"`infralab {command}` runs learner code only inside its bubblewrap sandbox" in err
    assert "apt-get install bubblewrap" in err and "--no-sandbox" in err


def test_grade_refuses_without_bubblewrap(no_bwrap, course, reference, capsys):
    path = _submit(course, "alice", reference)
    assert main(["--course", str(course.root), "grade", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _says_how_to_install(err, "grade")
    assert not course.gradebook.exists()


@pytest.mark.slow
def test_grade_no_sandbox_grades_and_records_it(no_bwrap, course, reference, capsys):
    path = _submit(course, "alice", reference)
    assert main(["--course", str(course.root), "grade", str(path), "--json", "--no-sandbox"]) == 0
    [result] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert result["score"] == result["max_score"] == 20
    assert result["sandbox"]["kind"] == "none"
    assert (
        "sandbox: bubblewrap disabled: no network or filesystem isolation (--no-sandbox)"
        in result["flags"]
    )
    assert sandbox_of(course, "alice", LAB)["kind"] == "none"
    [note] = _comments(course, "alice")
    assert note.startswith("infralab grade: sandbox none (--no-sandbox)")


def test_python_api_refuses_too(no_bwrap, course, reference):
    from infralab.grading.grade._grade import grade_notebook

    with pytest.raises(GraderFailure, match="bubblewrap missing.*apt-get install bubblewrap"):
        grade_notebook(course, reference)


def test_check_refuses_without_bubblewrap(no_bwrap, course, released, capsys):
    path = course.root / "mine.ipynb"
    path.write_text(write_notebook_text(released))
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _says_how_to_install(err, "check")


@pytest.mark.slow
def test_check_no_sandbox_runs_in_a_local_kernel(no_bwrap, course, reference, capsys):
    path = course.root / "mine.ipynb"
    path.write_text(write_notebook_text(reference))
    assert main(["check", str(path), "--no-sandbox"]) == 0
    out = capsys.readouterr().out
    assert "visible tests: 8/8 points" in out
    assert out.rstrip().endswith("sandbox: none (--no-sandbox)")
    assert main(["check", str(path), "--no-sandbox", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sandbox"] == {"kind": "none", "no_sandbox": True}


def test_certification_refuses_no_sandbox(tmp_path):
    from infralab.grading.grade._grade import GradeOptions
    from infralab.grading.grade._variant import new_variant_key

    with pytest.raises(_sandbox.SandboxError, match="--no-sandbox is refused"):
        JudgeOptions(certification=True, sandbox=_sandbox.SandboxConfig(use_bwrap=False))
    args = argparse.Namespace(
        cell_timeout=None,
        notebook_timeout=None,
        workers=1,
        lab=None,
        learner=None,
        no_gradebook=True,
        no_sandbox=True,
        certification=True,
        variant_key=str(new_variant_key(tmp_path / "variant.key")),
    )
    with pytest.raises(_sandbox.SandboxError, match="--no-sandbox is refused"):
        GradeOptions.from_args(args)
    args.no_sandbox = False
    options = GradeOptions.from_args(args)
    assert options.judge.certification and options.judge.sandbox.use_bwrap is not False
    assert JudgeOptions().certification is False


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_sandboxed_grade_and_check_say_bubblewrap(sandbox, course, reference, capsys):
    path = _submit(course, "bob", reference)
    assert main(["--course", str(course.root), "grade", str(path), "--json"]) == 0
    [result] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert result["sandbox"]["kind"] == "bubblewrap"
    assert sandbox_of(course, "bob", LAB) == result["sandbox"]
    [note] = _comments(course, "bob")
    assert note.startswith("infralab grade: sandbox bubblewrap, ")
    assert main(["--course", str(course.root), "check", str(path)]) == 0
    assert "sandbox: bubblewrap" in capsys.readouterr().out.splitlines()
