"""``infralab check NOTEBOOK``: the learner's self-check.

Runs the notebook top to bottom in a ``python3`` kernel (nbclient, in the learner's own
environment: it is their code, no sandbox) and reports, per task, the visible tests: pass or
fail, the message, the points at stake, and how many points wait in hidden tests. It needs no
hidden tests (a released notebook has none) and never fails on a failing test: it is feedback.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from infralab.grading._course import CourseError, cells_of, lab_of_notebook, read_notebook

__all__ = ["check_notebook", "format_report"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_MAX_MESSAGE = 500


def _error_of(cell: Any) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ename = out.get("ename", "Error")
            evalue = _ANSI.sub("", str(out.get("evalue", "")))
            text = f"{ename}: {evalue}" if evalue else ename
            if ename == "ProbeError" and evalue:
                text = evalue  # already "Type: message" of what the learner's code raised
            return text[:_MAX_MESSAGE]
    return None


def check_notebook(path: str | Path, timeout: float = 300.0) -> dict[str, Any]:
    """Execute ``path`` and report its visible tests per task.

    Returns:
        ``{"notebook", "lab", "tasks": [{"task", "visible": [{"grade_id", "points",
        "max_points", "status", "message"?}], "hidden_points", "solution_error"?}],
        "visible_score", "visible_max", "hidden_points", "max_score", "kernel_error"?}``.

    Raises:
        CourseError: not a notebook, or no grade cells in it.
    """
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb_path = Path(path)
    nb = read_notebook(nb_path)
    cells = cells_of(nb)
    if not any(c.grade for c in cells):
        raise CourseError(f"{nb_path}: no graded cells (is this a lab notebook?)")
    kernel_error = None
    # IPC sockets in a private temp dir: no TCP ports, and no "unencrypted TCP" warning.
    with tempfile.TemporaryDirectory(prefix="infralab-check-") as sockets:
        km = KernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel")
        )
        client = NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            allow_errors=True,
            resources={"metadata": {"path": str(nb_path.resolve().parent)}},
        )
        try:
            client.execute()
        except (CellTimeoutError, DeadKernelError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else ""
            kernel_error = f"{type(exc).__name__}: {first}"
        except Exception as exc:  # noqa: BLE001 - report, do not crash the learner's check
            kernel_error = f"{type(exc).__name__}: {exc}"[:_MAX_MESSAGE]
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)

    tasks: dict[str, dict[str, Any]] = {}
    ran = {i for i, c in enumerate(nb.cells) if c.get("execution_count") is not None}
    for info in cells:
        if not info.grade_id or not (info.grade or info.solution):
            continue
        task = tasks.setdefault(
            info.task or info.grade_id, {"task": info.task, "visible": [], "hidden_points": 0.0}
        )
        if info.solution:
            error = _error_of(nb.cells[info.index])
            if error:
                task["solution_error"] = f"{info.grade_id}: {error}"
            continue
        points = float(info.points or 0.0)
        if info.hidden:
            task["hidden_points"] += points
            continue
        error = _error_of(nb.cells[info.index])
        if info.index not in ran:
            status, message = "not run", kernel_error or "the cell did not run"
        elif error:
            status, message = "fail", error
        else:
            status, message = "pass", None
        entry = {
            "grade_id": info.grade_id,
            "points": points if status == "pass" else 0.0,
            "max_points": points,
            "status": status,
        }
        if message:
            entry["message"] = message
        task["visible"].append(entry)
    ordered = list(tasks.values())
    visible_max = sum(v["max_points"] for t in ordered for v in t["visible"])
    visible_score = sum(v["points"] for t in ordered for v in t["visible"])
    hidden = sum(t["hidden_points"] for t in ordered)
    report: dict[str, Any] = {
        "notebook": str(nb_path),
        "lab": lab_of_notebook(nb),
        "tasks": ordered,
        "visible_score": visible_score,
        "visible_max": visible_max,
        "hidden_points": hidden,
        "max_score": visible_max + hidden,
    }
    if kernel_error:
        report["kernel_error"] = kernel_error
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report as the text ``infralab check`` prints."""
    lines = [f"{report['notebook']} ({report['lab'] or 'unknown lab'})"]
    for task in report["tasks"]:
        lines.append(f"{task['task']}:")
        if task.get("solution_error"):
            lines.append(f"  your solution cell raised {task['solution_error']}")
        for v in task["visible"]:
            mark = {"pass": "PASS", "fail": "FAIL"}.get(v["status"], v["status"].upper())
            line = f"  {mark:<5} {v['grade_id']:<22} {v['points']:g}/{v['max_points']:g} points"
            lines.append(line)
            if v.get("message"):
                lines.append(f"        {v['message']}")
        if task["hidden_points"]:
            lines.append(f"  hidden tests: {task['hidden_points']:g} points")
    lines.append(
        f"visible tests: {report['visible_score']:g}/{report['visible_max']:g} points; "
        f"hidden tests: {report['hidden_points']:g} points, graded by `infralab grade`"
    )
    if report.get("kernel_error"):
        lines.append(f"the run stopped early: {report['kernel_error']}")
    return "\n".join(lines)
