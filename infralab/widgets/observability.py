"""Views for lab ``a3-observability``: a span tree, spend over time, burn-rate alerts, a report.

They take the plain data the lab works with (span dicts from
:meth:`infralab.observability.Telemetry.spans`, lists of numbers, dict rows), so they render a
learner's results as well as a grader's. matplotlib and IPython are imported when a view is
called, so importing this module is cheap. Nothing here uses the network.

Example:
    >>> from infralab.widgets.observability import span_tree
    >>> print(span_tree([{"name": "invoke_agent triage", "span_id": "a", "parent_id": None,
    ...                   "trace_id": "t", "status": "UNSET", "attributes": {}}]))
    invoke_agent triage
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["span_tree", "plot_spend", "plot_burn_alerts", "report_table"]


def span_tree(spans: Sequence[Mapping[str, Any]]) -> str:
    """The spans as an indented text tree, one line per span, children under their parent.

    A line shows the span's name, then its token usage (``in+out tok``) and ``ERROR`` where
    present. Spans whose parent is not in the list (roots, and spans continued from a remote
    parent after a queue hop, marked ``<- remote parent``) start a tree; siblings keep the
    order they have in ``spans``.
    """
    ids = {s["span_id"] for s in spans}
    children: dict[str | None, list[Mapping[str, Any]]] = {}
    for span in spans:
        parent = span.get("parent_id")
        children.setdefault(parent if parent in ids else None, []).append(span)
    lines: list[str] = []

    def walk(span: Mapping[str, Any], depth: int, seen: set[str]) -> None:
        if span["span_id"] in seen:  # a malformed list with a cycle: draw each span once
            return
        seen.add(span["span_id"])
        attrs = span.get("attributes") or {}
        notes = []
        tokens_in = attrs.get("gen_ai.usage.input_tokens")
        tokens_out = attrs.get("gen_ai.usage.output_tokens")
        if tokens_in is not None or tokens_out is not None:
            notes.append(f"{tokens_in}+{tokens_out} tok")
        if span.get("status") == "ERROR":
            notes.append(f"ERROR {attrs.get('error.type', '')}".strip())
        if depth == 0 and span.get("parent_id") is not None:
            notes.append("<- remote parent")
        suffix = f"  ({', '.join(notes)})" if notes else ""
        lines.append("  " * depth + str(span["name"]) + suffix)
        for child in children.get(span["span_id"], []):
            walk(child, depth + 1, seen)

    seen: set[str] = set()
    for root in children.get(None, []):
        walk(root, 0, seen)
    return "\n".join(lines)


def plot_spend(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    budget: float | None = None,
    stopped_at: float | None = None,
    ylabel: str = "cumulative cost (USD)",
    ax: Any = None,
) -> Any:
    """Cumulative spend over time, one line per series, with the budget and the stop marked.

    Args:
        series: label -> ``[(time_s, amount), ...]``; amounts are summed along the time axis.
        budget: draw a horizontal line at this level.
        stopped_at: draw a vertical line where an enforcer stopped the run.
        ylabel: the y axis label.
        ax: a matplotlib Axes to draw on (default: a new figure).

    Returns:
        The matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2))
    for label, points in series.items():
        total, xs, ys = 0.0, [], []
        for t, amount in sorted(points):
            total += amount
            xs.append(t)
            ys.append(total)
        ax.step(xs, ys, where="post", label=label)
    if budget is not None:
        ax.axhline(budget, color="tab:red", linestyle="--", linewidth=1, label="budget")
    if stopped_at is not None:
        ax.axvline(stopped_at, color="black", linestyle=":", linewidth=1, label="stopped")
    ax.set_xlabel("virtual time (s)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_burn_alerts(
    times: Sequence[float],
    error_rate: Sequence[float],
    alerts: Sequence[Mapping[str, Any]],
    *,
    budget_rate: float,
    ax: Any = None,
) -> Any:
    """An error-rate timeline with the SLO's error budget and the alerts that fired.

    Args:
        times: sample times (seconds).
        error_rate: the share of failed requests at each time (same length as ``times``).
        alerts: ``{"t": ..., "page": bool, "ticket": bool}`` per evaluation time.
        budget_rate: ``1 - slo``, drawn as a dashed line.
        ax: a matplotlib Axes to draw on (default: a new figure).

    Returns:
        The matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if len(times) != len(error_rate):
        raise ValueError(f"plot_burn_alerts: {len(times)} times but {len(error_rate)} error rates")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2))
    hours = [t / 3600 for t in times]
    ax.plot(hours, error_rate, color="tab:blue", linewidth=1, label="error rate")
    ax.axhline(budget_rate, color="tab:green", linestyle="--", linewidth=1, label="error budget")
    top = max([*error_rate, budget_rate]) or 1.0
    for key, colour, level in (("page", "tab:red", 1.04), ("ticket", "tab:orange", 1.1)):
        fired = [a["t"] / 3600 for a in alerts if a.get(key)]
        if fired:
            ax.scatter(fired, [top * level] * len(fired), marker="|", color=colour, label=key)
    ax.set_xlabel("hours")
    ax.set_ylabel("share of failed requests")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def report_table(rows: Sequence[Mapping[str, Any]], *, title: str = "") -> Any:
    """Rows of equal keys as an HTML table (numbers right-aligned, floats to 4 places).

    Returns an ``IPython.display.HTML`` object (displayed when it is a cell's last value).
    """
    from IPython.display import HTML

    if not rows:
        return HTML(f"<p>{html.escape(title)}: no rows</p>")
    keys = list(rows[0])

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f'<td style="text-align:right">{value:,.4f}</td>'
        if isinstance(value, int) and not isinstance(value, bool):
            return f'<td style="text-align:right">{value:,}</td>'
        return f"<td>{html.escape(str(value))}</td>"

    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
    body = "".join("<tr>" + "".join(cell(r.get(k, "")) for k in keys) + "</tr>" for r in rows)
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return HTML(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
