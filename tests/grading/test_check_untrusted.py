"""Does ``infralab check`` keep a notebook's own test cells inside the sandbox?

When no course source is found for a notebook, its visible tests can only be taken from the
notebook itself, which its author controls. An instructor who checks such a notebook must
not run those cells in their own process: they run in the sandboxed worker like any cell.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import nbformat
import pytest

from infralab.grading._check import check_notebook

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]


def _cell(source: str, grade_id: str, *, grade: bool, points: float | None = None):
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade": grade, "solution": not grade, "locked": grade, "grade_id": grade_id}
    if grade:
        meta["points"] = points
    meta["schema_version"] = 3
    cell.metadata["nbgrader"] = meta
    return cell


def test_a_notebooks_own_test_cells_run_in_the_sandbox(sandbox, tmp_path):
    marker = Path("/tmp") / f"infralab-check-{uuid.uuid4().hex}"
    nb = nbformat.v4.new_notebook()
    nb.metadata["infralab"] = {"lab": "zz-unknown-lab"}
    nb.cells = [
        _cell("x = 1", "task1-solution", grade=False),
        _cell(
            f"open({str(marker)!r}, 'w').write('written by a test cell')\nassert x == 1",
            "task1-visible",
            grade=True,
            points=2,
        ),
        _cell("assert x == 2, 'x should be 2'", "task2-visible", grade=True, points=3),
    ]
    path = tmp_path / "elsewhere" / "mine.ipynb"
    path.parent.mkdir()
    path.write_text(nbformat.writes(nb))
    report = check_notebook(path, timeout=60)
    assert not marker.exists(), "a test cell of the notebook ran outside the sandbox"
    assert any("no course source" in f for f in report["flags"])
    assert report["sandbox"]["kind"] == "bubblewrap"
    by_id = {v["grade_id"]: v for t in report["tasks"] for v in t["visible"]}
    assert by_id["task1-visible"]["status"] == "pass"
    assert by_id["task2-visible"]["status"] == "fail"
    assert "x should be 2" in by_id["task2-visible"]["message"]
