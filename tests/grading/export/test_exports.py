"""Exports of a graded cohort: the CSV in pandas, results.json against Gradescope's fields,
feedback and report pages in a real headless browser (screenshots checked)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from infralab.grading._course import find_course, write_notebook_text
from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.cli import main
from infralab.grading.cohort import Ledger, LedgerEntry, LedgerKey
from infralab.grading.export import (
    gradescope_results,
    report_html,
    task_stats,
)
from infralab.grading.grade._grade import GradeOptions, grade_paths
from infralab.grading.grade._judge import JudgeOptions

ROOT = Path(__file__).resolve().parents[3]
LAB = "t0-toy"
HOSTILE = '=SUM(1,2)<b>"x"'  # a folder name: a formula and markup
SCRIPT = "<script>alert('x')</script>"  # in notebook metadata: reaches a flag

# Gradescope's results.json, as its "Autograder Specifications" page documents it: every
# top-level and per-test field it lists, and the values it allows for status and visibility.
_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_name_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "score", "max_score", "visibility"],
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": _VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course whose ledger holds five graded learners, one with a hostile folder name."""
    from infralab.grading.sandbox._sandbox import bwrap_problem

    problem = bwrap_problem()
    if problem is not None:
        pytest.fail(f"needs the bubblewrap sandbox: {problem}")
    tmp = tmp_path_factory.mktemp("export")
    root = tmp / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "course", root)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = find_course(root)
    spec = load_lab(course, LAB)
    ref = reference_solutions(spec)
    t1, _ = sorted(ref)
    notebooks = {
        "ann": make_submission(spec, ref),
        "bob": make_submission(spec),
        "cy": make_submission(spec, {t1: ref[t1]}),
        "dee": make_submission(spec, {t1: ref[t1]}),
        HOSTILE: make_submission(spec, ref),
    }
    notebooks["dee"].metadata["infralab"] = {"learner": SCRIPT}  # flagged: learner mismatch
    submitted = tmp / "submitted"
    for learner, nb in notebooks.items():
        path = submitted / learner / LAB / f"{LAB}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(write_notebook_text(nb))
    options = GradeOptions(judge=JudgeOptions(cell_timeout=30.0), workers=2, ledger=True,
                           gradebook=False)  # fmt: skip
    outcomes = list(grade_paths(course, [submitted], options))
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    out = tmp / "exports"
    assert main(["--course", str(root), "export", "--out", str(out)]) == 0
    return course, spec, out


def _hidden_sources(spec) -> list[str]:
    """Every line of the hidden tests' source worth looking for in an export."""
    lines = []
    for cell in spec.grade_cells:
        if cell.hidden:
            source = spec.source.cells[cell.index].source
            lines += [ln.strip() for ln in source.splitlines() if len(ln.strip()) > 12]
    assert lines, "the fixture lab has hidden tests with source"
    return lines


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_csv_opens_in_pandas_one_row_per_learner_and_lab(graded):
    course, _, out = graded
    frame = pd.read_csv(out / "cohort.csv")
    assert len(frame) == 5
    assert list(frame.columns[:4]) == ["learner", "lab", "score", "max_score"]
    assert {"task1-visible", "task1-hidden", "task2-visible", "task2-hidden"} <= set(frame)
    scores = dict(zip(frame["learner"], frame["score"], strict=True))
    assert scores["ann"] == 20.0 and scores["bob"] == 0.0 and scores["cy"] == 10.0
    # task columns add up to the score, row by row
    tasks = frame[["task1-visible", "task1-hidden", "task2-visible", "task2-hidden"]]
    assert np.allclose(tasks.sum(axis=1), frame["score"])
    # the hostile folder name is text, never a formula
    assert f"'{HOSTILE}" in set(frame["learner"])
    assert not any(str(v).startswith("=") for v in frame.to_numpy().ravel())
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        assert len(ledger.current()) == 5


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_gradescope_results_follow_the_documented_fields(graded):
    _, spec, out = graded
    files = sorted((out / "gradescope").glob(f"*/{LAB}/results.json"))
    assert len(files) == 5
    hidden = _hidden_sources(spec)
    for path in files:
        data = json.loads(path.read_text())
        jsonschema.validate(data, GRADESCOPE_SCHEMA)
        assert data["score"] == sum(t["score"] for t in data["tests"])
        for test in data["tests"]:
            assert 0 <= test["score"] <= test["max_score"]
            if "hidden" in test["name"]:
                assert test["visibility"] == "after_published"
                assert test["output"] in ("hidden test: pass", "hidden test: fail")
        assert not any(line in path.read_text() for line in hidden)
    bob = json.loads((out / "gradescope" / "bob" / LAB / "results.json").read_text())
    visible_fail = next(t for t in bob["tests"] if t["name"].endswith("task1-visible"))
    assert visible_fail["status"] == "failed" and "NotImplementedError" in visible_fail["output"]


def test_gradescope_conversion_keeps_hidden_messages_out():
    result = {
        "lab": "x",
        "score": 1.0,
        "max_score": 3.0,
        "flags": ["timeout"],
        "tasks": [
            {"grade_id": "a", "task": "t", "hidden": False, "points": 1.0, "max_points": 1.0,
             "status": "pass"},
            {"grade_id": "b", "task": "t", "hidden": True, "points": 0.0, "max_points": 2.0,
             "status": "fail", "message": "SECRET expected 42"},
        ],
    }  # fmt: skip
    data = gradescope_results(result)
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert "SECRET" not in json.dumps(data)
    assert data["tests"][1]["output"] == "hidden test: fail"


def _entry(learner: str, passes: list[bool], points=(1.0, 2.0, 3.0), seconds=1.0):
    tasks = [
        {"grade_id": f"g{i}", "task": f"t{i}", "hidden": i == 2, "points": p if ok else 0.0,
         "max_points": p, "status": "pass" if ok else "fail"}
        for i, (ok, p) in enumerate(zip(passes, points, strict=True))
    ]  # fmt: skip
    result = {"learner": learner, "lab": "lab1", "score": sum(t["points"] for t in tasks),
              "max_score": sum(points), "tasks": tasks, "flags": []}  # fmt: skip
    key = LedgerKey(learner, "lab1", "s" * 64, "c" * 64, "0.1.0", 0, "d" * 64)
    return LedgerEntry(key, result, "2026-01-01T00:00:00Z", True, seconds, 0)


def test_difficulty_and_discrimination_by_hand():
    from scipy.stats import pearsonr

    table = [[True, True, False], [True, False, False], [True, True, False], [True, False, False]]
    entries = [_entry(f"l{i}", row) for i, row in enumerate(table)]
    stats = {s.grade_id: s for s in task_stats(entries)}
    assert stats["g0"].difficulty == 1.0 and stats["g0"].note == "everybody passes"
    assert stats["g2"].difficulty == 0.0 and stats["g2"].note == "nobody passes"
    assert stats["g0"].discrimination is None and stats["g2"].discrimination is None
    # g1 against the rest of the lab (score minus g1's points) is constant here: undefined
    assert stats["g1"].discrimination is None and stats["g1"].difficulty == 0.5
    table = [[True, True, False], [False, False, False], [True, True, True], [False, True, False]]
    entries = [_entry(f"l{i}", row) for i, row in enumerate(table)]
    stats = {s.grade_id: s for s in task_stats(entries)}
    passed = [1, 0, 1, 1]  # point-biserial r is Pearson's r with a 0/1 variable
    rest = [1.0, 0.0, 4.0, 0.0]
    assert stats["g1"].discrimination == pytest.approx(pearsonr(passed, rest).statistic)
    assert stats["g1"].passing == 3 and stats["g1"].learners == 4


# --------------------------------------------------------------------------- in a browser


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    return page, requests, dialogs


def _screenshot_has_content(png: bytes) -> None:
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert image.shape[0] > 300 and image.shape[1] > 300
    assert image.std() > 10  # not a blank page: text, tables and plots drawn
    assert (image < 128).mean() > 0.005  # a fair amount of dark ink


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_feedback_pages_in_a_browser_show_statuses_never_hidden_tests(graded, browser):
    _, spec, out = graded
    pages = sorted((out / "feedback").glob("*.html"))
    assert len(pages) == 5
    hidden = _hidden_sources(spec)
    for path in pages:
        text = path.read_text()
        assert not any(line in text for line in hidden), path.name
        assert "<script" not in text.lower()
    page, requests, dialogs = _open(browser, out / "feedback" / "bob.html")
    assert page.title() == "Feedback: bob"
    assert page.inner_text("#learner") == "bob"
    assert page.inner_text("#total") == "Total: 0 / 20 over 1 lab"
    rows = page.locator("tbody tr")
    assert rows.count() == 4
    cells = rows.nth(1).inner_text().split("\t")
    assert cells[:5] == ["task1", "task1-hidden", "hidden", "failed", "0 / 6"]
    assert "hidden test: status only" in cells[5]
    assert "NotImplementedError" in rows.nth(0).inner_text()  # the visible message
    _screenshot_has_content(page.screenshot(full_page=True))
    page.close()

    page, requests2, dialogs2 = _open(browser, out / "feedback" / "dee.html")
    flags = page.inner_text(".flags")
    assert SCRIPT in flags  # shown as text, not run
    assert page.evaluate("document.scripts.length") == 0
    page.close()
    page, requests3, dialogs3 = _open(browser, out / "feedback" / f"{HOSTILE}.html")
    assert page.inner_text("#learner") == HOSTILE
    page.close()
    assert not dialogs + dialogs2 + dialogs3
    assert all(u.startswith("file://") for u in requests + requests2 + requests3)


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_instructor_report_in_a_browser_with_plots(graded, browser):
    _, _, out = graded
    page, requests, dialogs = _open(browser, out / "report.html")
    assert page.title() == "Cohort report"
    lab_row = page.locator("#labs tbody tr").nth(0).inner_text().split("\t")
    assert lab_row[:2] == [LAB, "5"] and lab_row[-1] == "2"  # ann and the hostile one
    tasks = page.locator("#tasks tbody tr")
    assert tasks.count() == 4
    task1 = tasks.nth(0).inner_text().split("\t")
    assert task1[:6] == [LAB, "task1-visible", "task1", "visible", "4/5", "0.80"]
    flags = page.inner_text("#flags")
    assert "dee" in flags and "learner mismatch" in flags and SCRIPT in flags
    assert "gradings: total" in page.inner_text("#time")
    images = page.evaluate(
        "[...document.images].map(i => [i.id, i.complete && i.naturalWidth > 100])"
    )
    assert sorted(images) == [
        [f"plot-scores-{LAB}", True],
        [f"plot-tasks-{LAB}", True],
        ["plot-time", True],
    ]
    assert page.evaluate("document.scripts.length") == 0
    _screenshot_has_content(page.screenshot(full_page=True))
    assert not dialogs
    assert all(u.startswith("file://") or u.startswith("data:") for u in requests), requests
    page.close()


def test_report_of_an_empty_cohort_and_cli_errors(tmp_path, capsys):
    assert "0 learners" in report_html([])
    course_root = tmp_path / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "course", course_root)
    shutil.copy(ROOT / "nbgrader_config.py", course_root / "nbgrader_config.py")
    assert main(["--course", str(course_root), "export"]) == 2
    assert "no ledger at" in capsys.readouterr().err
    assert main(["--course", str(course_root), "export", "pdf"]) == 2
    assert "unknown format pdf" in capsys.readouterr().err
    assert main(["--course", str(course_root), "export", "--lab", "zz"]) == 2
    assert "zz" in capsys.readouterr().err
