"""Views for lab ``c1-prompt-systems``: registry history, structured-output methods, budgets.

They take the plain data the lab works with:

- a registry history row: ``{"version", "hash", "labels": [...], "diff": [unified diff lines],
  "template"}`` (extra keys are ignored);
- a method row: ``{"method", "valid", "calls", "cost_usd", "latency_s"}``;
- a budget point: ``{"budget", "tokens", "facts"}`` (facts covered, a share in 0..1);
- an effect row: ``{"change", "accuracy before", "accuracy after", "promote", "reasons",
  "effect": {"delta", "low", "high"}}``.

Tables are HTML, plots matplotlib figures; IPython and matplotlib are imported when a view is
called, so importing this module is cheap. Nothing here uses the network.

Example:
    >>> from infralab.widgets.prompts import diff_html
    >>> diff_html(["--- a", "+++ b", "-old", "+new"]).count("<span")
    4
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["diff_html", "history_table", "method_table", "effect_table", "plot_budget_curve"]

_DIFF_COLOURS = {"+": "#1a7f37", "-": "#cf222e", "@": "#8250df"}


def diff_html(lines: Sequence[str]) -> str:
    """A unified diff as coloured, escaped HTML lines (``+`` green, ``-`` red, ``@@`` purple)."""
    out = []
    for line in lines:
        colour = _DIFF_COLOURS.get(line[:1], "inherit")
        if line.startswith(("+++", "---")):
            colour = "#57606a"
        out.append(f'<span style="color:{colour}">{html.escape(line)}</span>')
    return "<br>".join(out)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    from IPython.display import HTML

    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:left;vertical-align:top'>{c}</td>" for c in r)
        + "</tr>"
        for r in rows
    )
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def history_table(rows: Sequence[Mapping[str, Any]]) -> Any:
    """A prompt's versions, oldest first: version, hash, labels and the diff to the previous one.

    Args:
        rows: one mapping per version (keys in the module docstring).

    Returns:
        An ``IPython.display.HTML`` table.
    """
    cells = []
    for row in rows:
        diff = row.get("diff") or []
        cells.append(
            [
                html.escape(str(row.get("version", ""))),
                f"<code>{html.escape(str(row.get('hash', '')))}</code>",
                html.escape(", ".join(row.get("labels") or [])),
                f"<pre style='margin:0'>{diff_html(diff)}</pre>" if diff else "(first version)",
            ]
        )
    return _table(["version", "hash", "labels", "diff to the previous version"], cells)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def method_table(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Valid share, calls, cost and mean latency per structured-output method, one row each."""
    cols = ["method", "valid", "calls", "cost_usd", "latency_s"]
    cells = [[html.escape(_fmt(row.get(c, ""))) for c in cols] for row in rows]
    return _table(["method", "valid share", "model calls", "cost (USD)", "mean latency (s)"], cells)


def effect_table(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Prompt changes with their paired effect, interval and the promotion decision."""
    cells = []
    for row in rows:
        effect = row.get("effect") or {}
        interval = (
            f"{effect.get('delta', 0.0):+.3f} [{effect.get('low', 0.0):+.3f}, "
            f"{effect.get('high', 0.0):+.3f}]"
        )
        cells.append(
            [
                html.escape(str(row.get("change", ""))),
                html.escape(_fmt(row.get("accuracy before", ""))),
                html.escape(_fmt(row.get("accuracy after", ""))),
                html.escape(interval),
                "promote" if row.get("promote") else "block",
                html.escape(", ".join(row.get("reasons") or [])),
            ]
        )
    return _table(
        ["change", "accuracy before", "accuracy after", "change [interval]", "decision", "reasons"],
        cells,
    )


def plot_budget_curve(points: Sequence[Mapping[str, Any]]) -> Any:
    """Answer facts covered against the tokens a packed request spends, one point per budget.

    Returns:
        The matplotlib ``Figure`` (also shown inline in a notebook).
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    xs = [p["tokens"] for p in points]
    ys = [p["facts"] for p in points]
    ax.plot(xs, ys, marker="o")
    for p in points:
        ax.annotate(
            str(p["budget"]),
            (p["tokens"], p["facts"]),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=7,
        )
    ax.set_xlabel("tokens per request (mean)")
    ax.set_ylabel("answer facts in context")
    ax.set_ylim(0, 1.05)
    ax.set_title("Quality against budget (labels: the budget)")
    fig.tight_layout()
    return fig
