"""The cohort CSV: one row per learner and lab, one column per task, for a spreadsheet.

Columns: ``learner, lab, score, max_score``, then the points of every grade cell of the labs
present (a cell blank when the row's lab has no such grade id), then ``flags``,
``submission_sha256`` and ``graded_at``. Text a spreadsheet would run as a formula (a cell
starting with ``= + - @`` or a tab/CR) is prefixed with ``'``: learner ids and flags can
carry learner-controlled text.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

from infralab.grading.cohort import LedgerEntry

__all__ = ["write_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(entries: Sequence[LedgerEntry], path: str | os.PathLike[str]) -> Path:
    """Write ``entries`` (from :meth:`Ledger.current`) as one CSV file; returns its path."""
    task_columns: list[str] = []
    for entry in entries:
        for task in entry.result.get("tasks", []):
            if task["grade_id"] not in task_columns:
                task_columns.append(task["grade_id"])
    header = ["learner", "lab", "score", "max_score", *task_columns, "flags",
              "submission_sha256", "graded_at"]  # fmt: skip
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for entry in entries:
            r = entry.result
            points = {t["grade_id"]: t["points"] for t in r.get("tasks", [])}
            row = [r["learner"], r["lab"], r["score"], r["max_score"]]
            row += [points.get(col, "") for col in task_columns]
            row += ["; ".join(r.get("flags", [])), r.get("submission_sha256", ""),
                    entry.graded_at]  # fmt: skip
            writer.writerow([_cell(v) if v != "" else "" for v in row])
    os.replace(tmp, out)  # a reader never sees half a file
    return out
