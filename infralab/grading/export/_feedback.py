"""Per-learner feedback as a standalone HTML page: scores, visible test messages, flags.

Hidden tests appear as their status only. Nothing of a hidden test's source or message can
reach the page: a recorded result never holds them (the judge reports hidden cells as a
status, see docs/architecture.md), and the page is built from recorded results alone. All
text is escaped; the page loads nothing and runs no script (a restrictive CSP says so).
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

from infralab.grading.cohort import LedgerEntry
from infralab.grading.export._common import PAGE_CSS, page, safe_name

__all__ = ["feedback_html", "write_feedback"]

_STATUS_NOTE = {
    "pass": "passed",
    "fail": "failed",
    "error": "error while running",
    "timeout": "timed out",
    "missing": "grade cell missing from your notebook",
    "tampered": "grade cell altered in your notebook (0 points)",
    "skipped": "not graded",
}


def _lab_section(entry: LedgerEntry) -> str:
    r = entry.result
    e = html.escape
    rows = []
    for task in r["tasks"]:
        status = str(task["status"])
        note = _STATUS_NOTE.get(status, status)
        if task["hidden"]:
            detail = "hidden test: status only"
        else:
            detail = e(str(task.get("message") or ""))
        rows.append(
            f'<tr class="{e(status)}"><td>{e(str(task["task"]))}</td>'
            f"<td>{e(str(task['grade_id']))}</td>"
            f"<td>{'hidden' if task['hidden'] else 'visible'}</td>"
            f"<td>{e(note)}</td><td>{task['points']:g} / {task['max_points']:g}</td>"
            f"<td><pre>{detail}</pre></td></tr>"
        )
    flags = "".join(f"<li>{e(str(f))}</li>" for f in r.get("flags", []))
    flags_html = f'<h3>Flags</h3><ul class="flags">{flags}</ul>' if flags else ""
    return (
        f'<section class="lab" id="lab-{e(r["lab"])}"><h2>{e(r["lab"])}: '
        f'<span class="score">{r["score"]:g} / {r["max_score"]:g}</span></h2>'
        "<table><thead><tr><th>task</th><th>test</th><th>kind</th><th>result</th>"
        "<th>points</th><th>message</th></tr></thead><tbody>"
        + "".join(rows)
        + f'</tbody></table>{flags_html}<p class="meta">graded {e(entry.graded_at)}, '
        f"submission sha256 {e(str(r.get('submission_sha256', ''))[:16])}…</p></section>"
    )


def feedback_html(learner: str, entries: Sequence[LedgerEntry]) -> str:
    """The feedback page of ``learner`` over their current result in each lab."""
    total = sum(e.result["score"] for e in entries)
    most = sum(e.result["max_score"] for e in entries)
    body = (
        f'<h1>Feedback for <span id="learner">{html.escape(learner)}</span></h1>'
        f'<p id="total">Total: {total:g} / {most:g} over {len(entries)} '
        f"lab{'s' if len(entries) != 1 else ''}</p>" + "".join(_lab_section(e) for e in entries)
    )
    return page(f"Feedback: {learner}", body, PAGE_CSS)


def write_feedback(entries: Sequence[LedgerEntry], out_dir: str | os.PathLike[str]) -> list[Path]:
    """``<out_dir>/<learner>.html`` for every learner in ``entries``; returns the paths."""
    by_learner: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_learner.setdefault(entry.key.learner, []).append(entry)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for learner, mine in sorted(by_learner.items()):
        path = out / f"{safe_name(learner)}.html"
        tmp = out / f".{path.name}.tmp"
        tmp.write_text(feedback_html(learner, mine), encoding="utf-8")
        os.replace(tmp, path)
        paths.append(path)
    return paths
