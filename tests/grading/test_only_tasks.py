"""Does ``JudgeOptions.only_tasks`` judge one task's cells and skip the rest (mutation runs)?"""

from __future__ import annotations

import pytest

from infralab.grading._lab import make_submission, reference_solutions
from infralab.grading.grade._grade import default_options, grade_notebook

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]


def test_only_the_named_task_is_judged(sandbox, course, spec, tmp_path):
    broken = make_submission(spec, {**reference_solutions(spec), "task1-solution": "mean = len\n"})
    options = default_options(cell_timeout=30, only_tasks=frozenset({"task1"}))
    result = grade_notebook(course, broken, lab="t0-toy", options=options, workdir=tmp_path)
    status = {t["grade_id"]: (t["task"], t["status"]) for t in result["tasks"]}
    assert {s for task, s in status.values() if task == "task2"} == {"skipped"}
    assert {s for task, s in status.values() if task == "task1"} == {"fail"}
    options = default_options(cell_timeout=30, only_tasks=frozenset({"task2"}))
    result = grade_notebook(course, broken, lab="t0-toy", options=options, workdir=tmp_path)
    assert {t["status"] for t in result["tasks"] if t["task"] == "task2"} == {"pass"}
