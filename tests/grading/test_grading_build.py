"""infralab build: nbgrader's preprocessors, deterministic output, --check."""

from __future__ import annotations

import json

from infralab.grading._build import build_lab, stale_labs
from infralab.grading.cli import main

LAB = "t0-toy"


def test_build_strips_solutions_hidden_tests_and_outputs(course):
    path = build_lab(course, LAB)
    assert path == course.labs / LAB / f"{LAB}.ipynb"
    text = path.read_text()
    nb = json.loads(text)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "sum(xs) / len(xs)" not in text  # the reference body is gone
    assert "wrong means" not in text  # hidden assertion messages are gone
    assert text.count("raise NotImplementedError()") == 2
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        meta = cell["metadata"].get("nbgrader")
        if meta and (meta["grade"] or meta["solution"] or meta["locked"]):
            assert meta["checksum"]
    assert not course.gradebook.exists(), "a build never creates a gradebook"


def test_build_is_deterministic(course, tmp_path):
    first = build_lab(course, LAB).read_bytes()
    second = build_lab(course, LAB, tmp_path / "again").read_bytes()
    assert first == second
    assert first.endswith(b"}\n")


def test_check_names_stale_missing_and_orphan_labs(course, capsys):
    assert [s.lab for s in stale_labs(course)] == [LAB]  # never built
    build_lab(course, LAB)
    assert stale_labs(course) == []
    assert main(["--course", str(course.root), "build", "--check"]) == 0
    release = course.labs / LAB / f"{LAB}.ipynb"
    release.write_text(release.read_text().replace("Toy", "Tiny"))
    (course.labs / "old-lab").mkdir()
    (course.labs / "old-lab" / "old-lab.ipynb").write_text("{}")
    capsys.readouterr()
    assert main(["--course", str(course.root), "build", "--check"]) == 1
    err = capsys.readouterr().err
    assert f"stale: {LAB}:" in err and "differs from a fresh build" in err
    assert "stale: old-lab:" in err and "has no source" in err


def test_build_command_and_unknown_lab(course, capsys):
    assert main(["--course", str(course.root), "build"]) == 0
    assert f"built labs/{LAB}/{LAB}.ipynb" in capsys.readouterr().out
    assert main(["--course", str(course.root), "build", "nope"]) == 2
    assert "unknown lab 'nope'" in capsys.readouterr().err


def test_extra_files_are_released_and_checked(course):
    (course.solutions / LAB / "data.csv").write_text("a,b\n1,2\n")
    build_lab(course, LAB)
    assert (course.labs / LAB / "data.csv").read_text() == "a,b\n1,2\n"
    (course.solutions / LAB / "data.csv").write_text("a,b\n1,3\n")
    [stale] = stale_labs(course)
    assert "data.csv differs" in stale.reason
