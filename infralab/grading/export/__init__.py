"""Exports of a graded cohort, from the grading ledger's current results.

- :func:`write_csv`: one CSV, a row per learner and lab, a column per grade cell;
- :func:`write_gradescope`: Gradescope's ``results.json`` per submission;
- :func:`write_feedback`: a feedback page per learner (hidden tests as status only);
- :func:`write_report`: the instructor report (distributions, difficulty, discrimination,
  flags, grading time).

Each takes ``Ledger.current()`` entries; ``infralab export`` writes them all (docs/cohorts.md).
Names load on first use, so ``infralab`` starts without SQLAlchemy (the CLI imports
``export._cli`` for its parser).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ExportError",
    "HIDDEN_VISIBILITY",
    "TaskStats",
    "feedback_html",
    "gradescope_results",
    "report_html",
    "task_stats",
    "write_csv",
    "write_feedback",
    "write_gradescope",
    "write_report",
]

_WHERE = {
    "ExportError": "_common",
    "write_csv": "_csv",
    "feedback_html": "_feedback",
    "write_feedback": "_feedback",
    "HIDDEN_VISIBILITY": "_gradescope",
    "gradescope_results": "_gradescope",
    "write_gradescope": "_gradescope",
    "TaskStats": "_report",
    "report_html": "_report",
    "task_stats": "_report",
    "write_report": "_report",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
