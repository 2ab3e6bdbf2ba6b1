"""Gradescope's ``results.json``, one per submission, from the recorded results.

The fields are those of Gradescope's autograder specification ("Autograder Specifications",
results.json): top-level ``score``, ``output``, ``visibility``, ``tests``; each test with
``name``, ``number``, ``score``, ``max_score``, ``status`` (``passed``/``failed``),
``visibility`` and ``output``. A visible test's output is its failure message; a hidden
test's is its status only (never its source or message) and it is shown to the learner
``after_published`` by default. Flags go to the top-level ``output`` for the instructor.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infralab.grading.cohort import LedgerEntry
from infralab.grading.export._common import safe_name

__all__ = ["gradescope_results", "write_gradescope", "HIDDEN_VISIBILITY"]

HIDDEN_VISIBILITY = "after_published"
"""When learners see hidden tests' pass/fail in Gradescope (one of its visibility values)."""


def gradescope_results(
    result: dict[str, Any], *, hidden_visibility: str = HIDDEN_VISIBILITY
) -> dict[str, Any]:
    """One result (as ``infralab grade --json`` prints it) in Gradescope's format."""
    tests = []
    for number, task in enumerate(result["tasks"], start=1):
        status = task["status"]
        if task["hidden"]:
            output = f"hidden test: {status}"
        else:
            output = f"{status}: {task['message']}" if task.get("message") else status
        tests.append(
            {
                "name": f"{task['task']}: {task['grade_id']}",
                "number": str(number),
                "score": float(task["points"]),
                "max_score": float(task["max_points"]),
                "status": "passed" if status == "pass" else "failed",
                "visibility": hidden_visibility if task["hidden"] else "visible",
                "output": output,
            }
        )
    lines = [f"{result['lab']}: {result['score']:g}/{result['max_score']:g}"]
    lines += [f"flag: {f}" for f in result.get("flags", [])]
    return {
        "score": float(result["score"]),
        "output": "\n".join(lines),
        "visibility": "visible",
        "tests": tests,
    }


def write_gradescope(entries: Sequence[LedgerEntry], out_dir: str | os.PathLike[str]) -> list[Path]:
    """``<out_dir>/<learner>/<lab>/results.json`` for each entry; returns the paths."""
    paths = []
    for entry in entries:
        folder = Path(out_dir) / safe_name(entry.key.learner) / safe_name(entry.key.lab)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "results.json"
        tmp = folder / ".results.json.tmp"
        tmp.write_text(json.dumps(gradescope_results(entry.result), indent=1), encoding="utf-8")
        os.replace(tmp, path)
        paths.append(path)
    return paths
