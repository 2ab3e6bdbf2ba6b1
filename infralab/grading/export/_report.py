"""The instructor report: one HTML page with plots over a cohort's current results.

Per lab: the score distribution; per task (grade cell): its difficulty (the share of learners
passing) and its discrimination (the point-biserial correlation between passing it and the
rest of the lab's score, i.e. the score without this cell's points, so a cell is not
correlated with itself); cells that nobody or everybody passes; flags (tampering, timeouts,
...) by learner; grading time. Plots are matplotlib PNGs embedded as ``data:`` images: the
page is one file that opens offline.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infralab.grading.cohort import LedgerEntry, flag_kind
from infralab.grading.export._common import PAGE_CSS, page

__all__ = ["TaskStats", "task_stats", "report_html", "write_report"]


@dataclass(frozen=True)
class TaskStats:
    """How one grade cell of a lab fared over the cohort."""

    lab: str
    grade_id: str
    task: str
    hidden: bool
    learners: int
    passing: int
    difficulty: float  # share passing, 0..1 (higher: easier)
    discrimination: float | None  # point-biserial r with the rest of the lab; None: undefined

    @property
    def note(self) -> str:
        if self.passing == 0:
            return "nobody passes"
        if self.passing == self.learners:
            return "everybody passes"
        return ""


def _point_biserial(passed: list[int], rest: list[float]) -> float | None:
    """Point-biserial r, or None when either side is constant (r is undefined then).

    The point-biserial correlation is Pearson's r with a 0/1 variable (what scipy's
    ``pointbiserialr`` computes too), so the standard library's ``correlation`` is enough.
    """
    if len(set(passed)) < 2 or len(set(rest)) < 2:
        return None
    r = statistics.correlation(passed, rest)
    return None if math.isnan(r) else r


def task_stats(entries: Sequence[LedgerEntry]) -> list[TaskStats]:
    """Difficulty and discrimination of every grade cell, lab by lab, in notebook order."""
    by_lab: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_lab.setdefault(entry.key.lab, []).append(entry)
    out = []
    for lab, mine in sorted(by_lab.items()):
        cells = [(t["grade_id"], t["task"], t["hidden"]) for t in mine[0].result["tasks"]]
        for grade_id, task, hidden in cells:
            passed, rest = [], []
            for entry in mine:
                cell = next((t for t in entry.result["tasks"] if t["grade_id"] == grade_id), None)
                if cell is None:
                    continue  # another version of the lab: not comparable
                passed.append(1 if cell["status"] == "pass" else 0)
                rest.append(float(entry.result["score"]) - float(cell["points"]))
            out.append(
                TaskStats(
                    lab=lab,
                    grade_id=grade_id,
                    task=task,
                    hidden=hidden,
                    learners=len(passed),
                    passing=sum(passed),
                    difficulty=sum(passed) / len(passed) if passed else 0.0,
                    discrimination=_point_biserial(passed, rest),
                )
            )
    return out


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(entries: Sequence[LedgerEntry], stats: Sequence[TaskStats]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    plots: dict[str, str] = {}
    labs = sorted({e.key.lab for e in entries})
    for lab in labs:
        scores = [e.result["score"] for e in entries if e.key.lab == lab]
        top = max(e.result["max_score"] for e in entries if e.key.lab == lab)
        fig, ax = plt.subplots(figsize=(6, 2.6))
        ax.hist(scores, bins=min(20, max(5, int(top) or 5)), range=(0, top or 1),
                color="#3b6ea8")  # fmt: skip
        ax.set_title(f"{lab}: score distribution ({len(scores)} learners)")
        ax.set_xlabel("score")
        ax.set_ylabel("learners")
        plots[f"scores-{lab}"] = _png(fig)

        mine = [s for s in stats if s.lab == lab]
        fig, ax = plt.subplots(figsize=(6, 0.35 * len(mine) + 1.2))
        ax.barh([s.grade_id for s in mine][::-1], [s.difficulty for s in mine][::-1],
                color="#4c9a5b")  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of learners passing")
        ax.set_title(f"{lab}: pass rate per test")
        plots[f"tasks-{lab}"] = _png(fig)
    seconds = [e.grading_seconds for e in entries if e.grading_seconds is not None]
    if seconds:
        fig, ax = plt.subplots(figsize=(6, 2.6))
        ax.hist(seconds, bins=20, color="#8a5aa8")
        ax.set_title(f"grading time per submission ({len(seconds)} gradings)")
        ax.set_xlabel("seconds")
        ax.set_ylabel("submissions")
        plots["time"] = _png(fig)
    return plots


def _img(plots: dict[str, str], name: str, alt: str) -> str:
    src = plots.get(name)
    return (
        f'<img id="plot-{html.escape(name)}" alt="{html.escape(alt)}" src="{src}">' if src else ""
    )


def report_html(entries: Sequence[LedgerEntry]) -> str:
    """The instructor report over ``entries`` (from :meth:`Ledger.current`)."""
    e = html.escape
    stats = task_stats(entries)
    plots = _plots(entries, stats) if entries else {}
    labs = sorted({x.key.lab for x in entries})
    parts = [f"<h1>Cohort report</h1><p>{len({x.key.learner for x in entries})} learners, "
             f"{len(entries)} graded lab submissions.</p>"]  # fmt: skip

    parts.append("<h2>Scores per lab</h2><table id=\"labs\"><thead><tr><th>lab</th>"
                 "<th>learners</th><th>mean</th><th>median</th><th>min</th><th>max</th>"
                 "<th>full marks</th></tr></thead><tbody>")  # fmt: skip
    for lab in labs:
        mine = [x.result for x in entries if x.key.lab == lab]
        scores = [r["score"] for r in mine]
        full = sum(r["score"] == r["max_score"] for r in mine)
        parts.append(
            f"<tr><td>{e(lab)}</td><td>{len(mine)}</td><td>{statistics.mean(scores):.1f}</td>"
            f"<td>{statistics.median(scores):g}</td><td>{min(scores):g}</td>"
            f"<td>{max(scores):g} / {mine[0]['max_score']:g}</td><td>{full}</td></tr>"
        )
    parts.append("</tbody></table>")
    for lab in labs:
        parts.append(_img(plots, f"scores-{lab}", f"score distribution of {lab}"))

    parts.append("<h2>Tests: difficulty and discrimination</h2><p>Difficulty: the share of "
                 "learners passing. Discrimination: point-biserial correlation of passing with "
                 "the rest of the lab's score (low or negative: the test does not separate "
                 "stronger from weaker work; undefined when everyone or no one passes).</p>"
                 '<table id="tasks"><thead><tr><th>lab</th><th>test</th><th>task</th>'
                 "<th>kind</th><th>passing</th><th>difficulty</th><th>discrimination</th>"
                 "<th>note</th></tr></thead><tbody>")  # fmt: skip
    for s in stats:
        disc = "—" if s.discrimination is None else f"{s.discrimination:+.2f}"
        parts.append(
            f'<tr class="{"warn" if s.note else ""}"><td>{e(s.lab)}</td><td>{e(s.grade_id)}'
            f"</td><td>{e(s.task)}</td><td>{'hidden' if s.hidden else 'visible'}</td>"
            f"<td>{s.passing}/{s.learners}</td><td>{s.difficulty:.2f}</td><td>{disc}</td>"
            f"<td>{e(s.note)}</td></tr>"
        )
    parts.append("</tbody></table>")
    for lab in labs:
        parts.append(_img(plots, f"tasks-{lab}", f"pass rate per test of {lab}"))

    parts.append('<h2>Flags by learner</h2><table id="flags"><thead><tr><th>learner</th>'
                 "<th>lab</th><th>kinds</th><th>flags</th></tr></thead><tbody>")  # fmt: skip
    for x in sorted(entries, key=lambda x: (x.key.learner, x.key.lab)):
        flags = x.result.get("flags") or []
        if flags:
            kinds = ", ".join(sorted({flag_kind(f) for f in flags}))
            items = "".join(f"<li>{e(str(f))}</li>" for f in flags)
            parts.append(f"<tr><td>{e(x.key.learner)}</td><td>{e(x.key.lab)}</td>"
                         f"<td>{e(kinds)}</td><td><ul>{items}</ul></td></tr>")  # fmt: skip
    parts.append("</tbody></table>")

    seconds = [x.grading_seconds for x in entries if x.grading_seconds is not None]
    parts.append("<h2>Grading time</h2>")
    if seconds:
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
        parts.append(f'<p id="time">{len(seconds)} gradings: total {sum(seconds):.1f} s, mean '
                     f"{statistics.mean(seconds):.1f} s, median {statistics.median(seconds):.1f}"
                     f" s, 95th percentile {p95:.1f} s, longest {max(seconds):.1f} s.</p>")  # fmt: skip
        parts.append(_img(plots, "time", "grading time per submission"))
    else:
        parts.append('<p id="time">No grading times recorded.</p>')
    css = PAGE_CSS + "tr.warn td { background: #fff4d6; }\n"
    return page("Cohort report", "".join(parts), css)


def write_report(entries: Sequence[LedgerEntry], path: str | os.PathLike[str]) -> Path:
    """Write the report to ``path`` (one self-contained HTML file); returns it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(report_html(entries), encoding="utf-8")
    os.replace(tmp, out)
    return out
