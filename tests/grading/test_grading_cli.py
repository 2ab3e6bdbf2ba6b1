"""infralab grade and infralab check from the command line, and the gradebook they feed."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from infralab.grading._course import write_notebook_text
from infralab.grading.cli import main

LAB = "t0-toy"


def _submit(course, learner, nb) -> Path:
    path = course.grader / "submitted" / learner / LAB / f"{LAB}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(write_notebook_text(nb))
    return path


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_grade_json_gradebook_and_nbgrader_export(sandbox, course, reference, released, capsys):
    _submit(course, "alice", reference)
    _submit(course, "bob", released)
    code = main(
        ["--course", str(course.root), "grade", str(course.grader / "submitted"), "--json",
         "--workers", "2"]
    )  # fmt: skip
    assert code == 0
    results = _json_lines(capsys.readouterr().out)
    assert [r["learner"] for r in results] == ["alice", "bob"]
    alice, bob = results
    assert {"learner", "lab", "score", "max_score", "tasks", "flags", "sandbox"} <= set(alice)
    assert (alice["score"], alice["max_score"], bob["score"]) == (20.0, 20.0, 0.0)
    for task in alice["tasks"]:
        assert {"grade_id", "points", "max_points", "status"} <= set(task)
        assert task["status"] == "pass"
    assert alice["sandbox"]["kind"] == "bubblewrap"

    # nbgrader's own export sees the scores (run as an instructor would, in the course root)
    subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "export"],
        cwd=course.root,
        check=True,
        capture_output=True,
    )
    with open(course.root / "grader" / "grades.csv") as f:  # nbgrader_config.py puts it there
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert float(rows["alice"]["score"]) == 20.0
    assert float(rows["bob"]["score"]) == 0.0
    assert float(rows["alice"]["max_score"]) == 20.0

    # the formgrader's copy: statuses, never hidden test source
    autograded = (course.grader / "autograded" / "alice" / LAB / f"{LAB}.ipynb").read_text()
    assert "infralab grade: pass (6/6)" in autograded
    assert "HIDDEN" not in autograded and "wrong means" not in autograded

    # grading again replaces the earlier submission instead of failing
    assert main(["--course", str(course.root), "grade", str(course.grader / "submitted")]) == 0
    assert "alice t0-toy: 20/20" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_bad_inputs_are_named_and_do_not_stop_the_others(sandbox, course, reference, capsys):
    good = _submit(course, "carol", reference)
    bad_json = course.root / "bad.ipynb"
    bad_json.write_text("{oops")
    not_nb = course.root / "plain.ipynb"
    not_nb.write_text('{"hello": 1}')
    unknown = course.root / "other.ipynb"
    unknown.write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    code = main(
        ["--course", str(course.root), "grade", str(bad_json), str(good), str(not_nb),
         str(unknown), str(course.root / "missing.ipynb"), "--json", "--no-gradebook"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    [result] = _json_lines(out)
    assert (result["learner"], result["score"]) == ("carol", 20.0)
    assert f"{bad_json}: not JSON (line 1, column 2" in err
    assert f"{not_nb}: not a Jupyter notebook" in err
    assert f"{unknown}: cannot tell which lab" in err
    assert "missing.ipynb: no such file" in err
    assert not course.gradebook.exists()


def test_unknown_lab_option_is_a_usage_error(course, capsys):
    assert main(["--course", str(course.root), "grade", str(course.root), "--lab", "zz"]) == 2
    assert "unknown lab 'zz'" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_check_reports_visible_tests_and_hidden_points(
    sandbox, course, released, reference, capsys
):
    # `infralab check` runs in the sandbox now (the visible half of grading); --no-sandbox,
    # the local kernel, is tested in test_no_fallback.py.
    path = course.root / "mine.ipynb"
    path.write_text(write_notebook_text(released))
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "FAIL  task1-visible" in out and "NotImplementedError" in out
    assert "hidden tests: 6 points" in out
    assert "visible tests: 0/8 points; hidden tests: 12 points" in out
    assert "sandbox: bubblewrap" in out.splitlines()

    path.write_text(write_notebook_text(reference))
    assert main(["check", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["visible_score"], report["visible_max"], report["hidden_points"]) == (8, 8, 12)
    statuses = [v["status"] for t in report["tasks"] for v in t["visible"]]
    assert statuses == ["pass", "pass"]


def test_check_refuses_unusable_input(tmp_path, capsys):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("[]")
    assert main(["check", str(bad)]) == 2
    assert f"{bad}: not a Jupyter notebook" in capsys.readouterr().err
    empty = tmp_path / "empty.ipynb"
    empty.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert main(["check", str(empty)]) == 2
    assert "no graded cells" in capsys.readouterr().err


def test_submission_layouts(course, released, tmp_path):
    from infralab.grading.grade._grade import GradeOptions, Submission, find_submissions

    root = course.grader / "submitted"
    for learner in ("ann", "ben"):
        _submit(course, learner, released)
    (root / "ann" / LAB / "notes.txt").write_text("mine")
    flat = tmp_path / "flat"
    flat.mkdir()
    for name in ("x", "y"):
        (flat / f"{name}.ipynb").write_text(write_notebook_text(released))

    def found(*paths):
        from infralab.grading.grade._intake import IntakeLimits, take_in

        items = find_submissions(course, list(paths), GradeOptions())
        out = []
        for s in items:
            if isinstance(s, Submission):
                staged = take_in(s.base, s.parts, str(s.path), IntakeLimits(),
                                 with_folder=s.with_folder)  # fmt: skip
                out.append((s.learner, s.lab_hint, sorted(staged.files)))
                staged.cleanup()
        return out

    ann = ("ann", LAB, ["notes.txt", f"{LAB}.ipynb"])
    ben = ("ben", LAB, [f"{LAB}.ipynb"])
    assert found(root) == [ann, ben]
    assert found(root / "ann") == [ann]
    assert found(root / "ann" / LAB) == [ann]
    assert found(root / "ben" / LAB / f"{LAB}.ipynb") == [ben]
    # a folder of notebooks is one learner's (the folder's name), never one learner per file
    assert found(flat) == [("flat", None, ["x.ipynb"]), ("flat", None, ["y.ipynb"])]
    [missing] = find_submissions(course, [tmp_path / "nope"], GradeOptions())
    assert missing.error.endswith("nope: no such file or directory")
