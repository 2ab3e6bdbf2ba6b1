"""``infralab check NOTEBOOK``: the learner's self-check.

Reports, per task, the visible tests: pass or fail, the message, the points at stake, and how
many points wait in hidden tests. It needs no hidden tests (a released notebook has none) and
never fails on a failing test: it is feedback. Two ways to run:

- in the sandbox (the default; needs bubblewrap): the visible half of ``infralab grade``, the
  same code (:func:`infralab.grading.grade._judge._walk` with ``hidden=False``): the learner's cells
  run in a sandboxed worker, in notebook order, and each visible grade cell runs here with
  ``probe`` routed to the worker. The grade cells come from the course's source of the lab
  when the course is found (a notebook inside a course checkout, ``--course`` or
  ``$INFRALAB_COURSE``), so edited or deleted test cells show up as ``tampered``/``missing``
  as in grading; otherwise from the notebook itself (the report says so).
- ``--no-sandbox``: top to bottom in a local ``python3`` kernel (nbclient), for a learner's own
  notebook on a machine without bubblewrap.

The report says which (``sandbox: bubblewrap`` / ``sandbox: none (--no-sandbox)``).
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from infralab.grading._course import (
    Course,
    CourseError,
    cells_of,
    find_course,
    lab_of_notebook,
    read_notebook,
)
from infralab.grading.sandbox._sandbox import SandboxConfig, SandboxError, bwrap_required_message

__all__ = ["check_notebook", "format_report"]

_MAX_FILES_BYTES = 32 * 1024 * 1024
_PROBE_FAILED = "ProbeError: the probe failed in your code: "

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


def check_notebook(
    path: str | Path,
    timeout: float = 300.0,
    *,
    sandbox: bool = True,
    course: str | Path | Course | None = None,
    config: SandboxConfig | None = None,
) -> dict[str, Any]:
    """Run ``path`` (in the sandbox unless ``sandbox=False``) and report its visible tests.

    Args:
        path: the notebook.
        timeout: per-cell limit in seconds (CPU seconds in a sandbox with a cgroup).
        sandbox: ``False`` is ``--no-sandbox``: a local kernel.
        course: where to find the lab's source (default: above the notebook, else as
            :func:`~infralab.grading._course.find_course` looks).
        config: sandbox limits (default :class:`SandboxConfig`).

    Returns:
        ``{"notebook", "lab", "tasks": [{"task", "visible": [{"grade_id", "points",
        "max_points", "status", "message"?}], "hidden_points", "solution_error"?}],
        "visible_score", "visible_max", "hidden_points", "max_score", "sandbox", "flags",
        "kernel_error"?}``; ``sandbox`` is the grader's sandbox description (``kind``
        ``"bubblewrap"``), or ``{"kind": "none", "no_sandbox": True}``.

    Raises:
        CourseError: not a notebook, or no grade cells in it.
        SandboxError: ``sandbox`` is on and bubblewrap does not work here.
    """
    if not sandbox:
        report = _check_in_kernel(Path(path), timeout)
        report["sandbox"] = {"kind": "none", "no_sandbox": True}
        report.setdefault("flags", [])
        return report
    missing = bwrap_required_message("check")
    if missing:
        raise SandboxError(missing)
    return _check_in_sandbox(Path(path), timeout, course, config or SandboxConfig())


def _find_course(nb_path: Path, course: str | Path | Course | None) -> Course | None:
    if isinstance(course, Course):
        return course
    if course is not None:
        return find_course(course)
    for d in nb_path.resolve().parents:
        if (d / "nbgrader_config.py").is_file() and (d / "solutions").is_dir():
            return Course(d)
    try:
        return find_course(None)
    except CourseError:
        return None


def _course_spec(nb_path: Path, nb: NotebookNode, course_arg: Any) -> Any:
    """The lab's spec from the course source (trusted grade cells), or ``None``."""
    from infralab.grading._lab import load_lab, recognise_lab

    course = _find_course(nb_path, course_arg)
    if course is None:
        return None
    lab = lab_of_notebook(nb)
    if lab not in course.lab_ids():
        lab = recognise_lab(course, {c.grade_id for c in cells_of(nb) if c.grade_id})
    if lab is None:
        return None
    try:
        return load_lab(course, lab)
    except CourseError:
        return None


def _notebook_spec(nb_path: Path, nb: NotebookNode) -> Any:
    """A spec whose source and release are the notebook itself (no course source found).

    Grade cells keep the checksums the release gave them, so an edited test cell is still
    ``tampered``; cells without one get their own.
    """
    from nbgrader.utils import compute_checksum

    from infralab.grading._lab import LabSpec

    release = copy.deepcopy(nb)
    for cell in release.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and meta.get("grade_id") and not meta.get("checksum"):
            try:
                meta["checksum"] = compute_checksum(cell)
            except Exception:  # noqa: BLE001 - malformed metadata: account() flags the cell
                pass
    cells = tuple(cells_of(release))
    return LabSpec(
        lab=lab_of_notebook(nb) or "",
        source_path=nb_path,
        source=release,
        release=release,
        source_cells=cells,
        release_cells=cells,
    )


def _sandbox_files(nb_path: Path, lab: str) -> dict[str, Path]:
    """The notebook, plus the regular files beside it when its folder is the lab's own."""
    files = {nb_path.name: nb_path}
    folder = nb_path.parent
    if not lab or folder.name != lab:
        return files
    total = nb_path.stat().st_size
    for path in sorted(folder.iterdir()):
        if path.is_symlink() or not path.is_file() or path.suffix == ".ipynb":
            continue
        total += path.stat().st_size
        if total > _MAX_FILES_BYTES:
            break
        files[path.name] = path
    return files


def _check_in_sandbox(
    nb_path: Path, timeout: float, course: Any, config: SandboxConfig
) -> dict[str, Any]:
    from infralab.grading.grade._judge import GraderFailure, JudgeOptions, _walk, account

    nb = read_notebook(nb_path)
    if not any(c.grade for c in cells_of(nb)):
        raise CourseError(f"{nb_path}: no graded cells (is this a lab notebook?)")
    flags: list[str] = []
    spec = _course_spec(nb_path, nb, course)
    untrusted = spec is None
    if spec is None:
        spec = _notebook_spec(nb_path, nb)
        flags.append(
            "no course source for this lab: its visible tests are taken from this notebook "
            "and run inside the sandbox, so their verdicts are only as good as the notebook"
        )
    accounting = account(spec, nb)
    statuses: dict[str, tuple[str, str | None]] = {
        gid: (st, None) for gid, st in accounting.status.items()
    }
    options = JudgeOptions(
        cell_timeout=timeout,
        notebook_timeout=max(JudgeOptions().notebook_timeout, timeout),
        sandbox=config,
        tests_in_worker=untrusted,
    )
    files = _sandbox_files(nb_path, spec.lab)
    kernel_error = None
    errors: dict[str, str] = {}
    info = None
    try:
        visible = _walk(spec, accounting, files, options, statuses, hidden=False)
    except GraderFailure as exc:
        visible = None
        kernel_error = str(exc)[:_MAX_MESSAGE]
    flags += accounting.flags
    if visible is not None:
        flags += visible.session.flags
        errors = visible.session.errors
        info = visible.session.info
        if visible.timed_out:
            kernel_error = f"notebook time limit of {options.notebook_timeout:g}s reached"
    if info is None:
        from infralab.grading.sandbox._sandbox import sandbox_info

        info = sandbox_info(config)
    flags += info.flags()

    tasks: dict[str, dict[str, Any]] = {}
    for cell in spec.source_cells:
        if not cell.grade_id or not (cell.grade or cell.solution):
            continue
        task = tasks.setdefault(
            cell.task or cell.grade_id, {"task": cell.task, "visible": [], "hidden_points": 0.0}
        )
        if cell.solution:
            if cell.grade_id in errors:
                task["solution_error"] = f"{cell.grade_id}: {errors[cell.grade_id]}"
            continue
        points = float(cell.points or 0.0)
        if cell.hidden:
            task["hidden_points"] += points
            continue
        status, message = statuses.get(
            cell.grade_id, ("not run", kernel_error or "the cell did not run")
        )
        entry: dict[str, Any] = {
            "grade_id": cell.grade_id,
            "points": points if status == "pass" else 0.0,
            "max_points": points,
            "status": status,
        }
        if message and status != "pass":
            # as the in-kernel path says it: what the learner's code raised, no wrapper
            entry["message"] = message.removeprefix(_PROBE_FAILED)
        task["visible"].append(entry)
    report = _summary(nb_path, spec.lab or lab_of_notebook(nb), list(tasks.values()))
    report["sandbox"] = info.as_dict()
    report["flags"] = flags
    if kernel_error:
        report["kernel_error"] = kernel_error
    return report


def _summary(nb_path: Path, lab: str | None, ordered: list[dict[str, Any]]) -> dict[str, Any]:
    visible_max = sum(v["max_points"] for t in ordered for v in t["visible"])
    visible_score = sum(v["points"] for t in ordered for v in t["visible"])
    hidden = sum(t["hidden_points"] for t in ordered)
    return {
        "notebook": str(nb_path),
        "lab": lab,
        "tasks": ordered,
        "visible_score": visible_score,
        "visible_max": visible_max,
        "hidden_points": hidden,
        "max_score": visible_max + hidden,
    }


def _check_in_kernel(nb_path: Path, timeout: float) -> dict[str, Any]:
    """``--no-sandbox``: execute the notebook in a local kernel (nbclient)."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

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
    report = _summary(nb_path, lab_of_notebook(nb), list(tasks.values()))
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
    for flag in report.get("flags", []):
        if not flag.startswith("sandbox: "):
            lines.append(f"note: {flag}")
    sandbox = report.get("sandbox") or {}
    if sandbox.get("kind") == "bubblewrap":
        lines.append("sandbox: bubblewrap")
        for missing in sandbox.get("missing", []):
            lines.append(f"  not enforced here: {missing}")
    elif sandbox:
        lines.append("sandbox: none (--no-sandbox)")
    return "\n".join(lines)
