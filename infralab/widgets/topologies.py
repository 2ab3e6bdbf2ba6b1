"""Views for lab ``a1-topologies``: a per-run trace table, a comparison table and plots.

They take the plain run records and summary tables the lab works with (dicts of str, int,
float, bool, lists), so they also render a grader's or a learner's own records. Nothing here
draws with a network service: tables are HTML, plots are matplotlib figures.

Example:
    >>> from infralab.widgets.topologies import runs_table
    >>> html = runs_table([{"topology": "star", "scenario_id": "t1", "hops": 2}]).data
    >>> "star" in html
    True
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "runs_table",
    "comparison_table",
    "plot_comparison",
    "plot_cumulative_tokens",
    "watch_replies",
    "trusted_trace",
    "trusted_path",
]

#: Columns of the per-run table, in order, when the caller does not choose them.
RUN_COLUMNS = (
    "topology",
    "scenario_id",
    "route",
    "path",
    "hops",
    "status",
    "reason",
    "success",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "latency_s",
)

#: Metrics drawn by :func:`plot_comparison` by default: (key, axis label).
COMPARISON_METRICS = (
    ("success_rate", "success rate"),
    ("mean_hops", "mean hops"),
    ("mean_cost_usd", "mean cost per request (USD)"),
    ("p95_latency_s", "p95 latency (virtual s)"),
)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        # costs are fractions of a cent: keep significant digits instead of fixed decimals
        text = f"{value:.3g}" if abs(value) < 0.01 and value != 0 else f"{value:,.3f}"
    elif isinstance(value, list | tuple):
        text = " → ".join(str(v) for v in value)
    elif value is None:
        text = ""
    else:
        text = str(value)
    return html.escape(text)


def _html_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def runs_table(records: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None):
    """One row per run: the trace of a ticket through a topology.

    Args:
        records: run records (dicts); a missing key shows as an empty cell.
        columns: which keys to show, in order; default :data:`RUN_COLUMNS` that occur in
            at least one record.

    Returns:
        An ``IPython.display.HTML`` object (a notebook displays it as a table).
    """
    from IPython.display import HTML

    records = [dict(r) for r in records]
    if columns is None:
        present = {k for r in records for k in r}
        columns = [c for c in RUN_COLUMNS if c in present]
    rows = ([r.get(c) for c in columns] for r in records)
    return HTML(_html_table(list(columns), rows))


def comparison_table(table: Mapping[str, Mapping[str, Any]]):
    """One row per topology of a summary table (topology -> metric -> value), as HTML.

    Columns are the union of the metric names, in first-seen order.
    """
    from IPython.display import HTML

    metrics: list[str] = []
    for row in table.values():
        metrics.extend(k for k in row if k not in metrics)
    rows = ([name, *(row.get(m) for m in metrics)] for name, row in table.items())
    return HTML(_html_table(["topology", *metrics], rows))


def plot_comparison(
    table: Mapping[str, Mapping[str, Any]],
    metrics: Sequence[tuple[str, str]] = COMPARISON_METRICS,
):
    """Bar charts comparing topologies, one panel per metric.

    Args:
        table: topology -> metric -> number (a summary table).
        metrics: ``(key, label)`` pairs to draw; a missing or non-numeric value draws no bar.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        ValueError: ``table`` is empty or ``metrics`` is empty.
    """
    import matplotlib.pyplot as plt

    if not table:
        raise ValueError("plot_comparison: the table has no topologies")
    if not metrics:
        raise ValueError("plot_comparison: no metrics to draw")
    names = list(table)
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.0), squeeze=False)
    for ax, (key, label) in zip(axes[0], metrics, strict=True):
        values = [_number(table[n].get(key)) for n in names]
        ax.bar(names, [0.0 if v is None else v for v in values], color="#6c5ce7")
        for i, v in enumerate(values):
            if v is not None:
                ax.annotate(f"{v:.3g}", (i, v), ha="center", va="bottom", fontsize=8)
        ax.set_title(label, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.tight_layout()
    return fig


def plot_cumulative_tokens(runs: Mapping[str, Sequence[Mapping[str, Any]]]):
    """Cumulative tokens (input + output) after each model call, one line per run.

    Shows why an unguarded loop is expensive: every call re-sends the growing history, so the
    curve bends upwards.

    Args:
        runs: label -> the run's model calls in order (dicts with ``input_tokens`` and
            ``output_tokens``).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    for label, calls in runs.items():
        total, ys = 0, []
        for i, call in enumerate(calls):
            try:
                total += int(call["input_tokens"]) + int(call["output_tokens"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"plot_cumulative_tokens: run {label!r}, call {i}: needs integer "
                    f"input_tokens and output_tokens ({exc})"
                ) from None
            ys.append(total)
        ax.plot(range(1, len(ys) + 1), ys, marker="o", markersize=3, label=str(label))
    ax.set_xlabel("model calls")
    ax.set_ylabel("cumulative tokens")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


# --------------------------------------------------------------------------- trusted runs
# The lab's tests judge a run from the trusted environment's logs
# (:class:`infralab.grading.Environment`), never from the run record the learner's code
# returns. These helpers read those logs on the environment's side.

#: The name of the structured-output schema ``ask_router`` binds (one tool, forced).
ROUTING_SCHEMA = "Route"


def watch_replies(handle: Any) -> Any:
    """Keep the tool-call arguments of every reply of an environment's model handle.

    The environment's log names the tools a reply called but not their arguments; a routing
    call's answer (``FINISH`` or a route) is such an argument. After this, ``handle.replies``
    holds one entry per call, aligned with ``handle.log``: a list of ``{"name", "args"}``, or
    ``None`` for a call that failed. Call it on the trusted side, before the run.

    Returns:
        The handle.
    """
    inner = handle.model
    replies: list[Any] = []

    class _Watched:
        def __getattr__(self, name: str) -> Any:
            return getattr(inner, name)

        def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> Any:
            try:
                result = inner._generate(messages, stop, **kwargs)
            except BaseException:
                replies.append(None)
                raise
            message = result.generations[0].message
            replies.append(
                [{"name": tc["name"], "args": dict(tc["args"])} for tc in message.tool_calls]
            )
            return result

    handle.model = _Watched()
    handle.replies = replies
    return handle


def _node_of(entry: Mapping[str, Any], router: str) -> str:
    from infralab.tools import ROUTE_TOOLS

    bound = list(entry.get("bound") or [])
    if bound == [ROUTING_SCHEMA]:
        return router
    tools = [b for b in bound if not b.startswith("transfer_to_")]
    if not tools:
        return "triage" if bound else "?"
    for route, names in ROUTE_TOOLS.items():
        if tools == list(names):  # in order: two routes have the same tools in another order
            return route
    return "?"


def trusted_trace(models: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every call of the given (watched) model handles, in the order they were served.

    Args:
        models: the name of a routing node -> the model handle it runs on (for example
            ``{"supervisor": model}``, or ``{"director": top, "commerce_lead": small}``);
            handles that serve only agents can have any name.

    Returns:
        One dict per call: the log entry's fields plus ``who`` (the name given),
        ``node`` (the routing node's name for a call that bound only the ``Route`` schema,
        the route whose desk tools the call bound, in ``desk.tools_for(route)`` order,
        ``"triage"`` for a call that bound only
        handoffs, ``"?"`` otherwise), ``routing`` (bool), ``choice`` (a routing call's answer,
        else None) and ``reply`` (the reply's tool calls with arguments, None if it failed).
    """
    rows: list[tuple[float, int, dict[str, Any]]] = []
    for who, handle in models.items():
        replies = getattr(handle, "replies", None)
        for i, entry in enumerate(handle.log):
            node = _node_of(entry, who)
            reply = replies[i] if replies is not None and i < len(replies) else None
            choice = None
            if node == who and reply:
                choice = reply[0]["args"].get("next")
            row = {**entry, "who": who, "node": node, "routing": node == who, "choice": choice}
            row["reply"] = reply
            rows.append((entry["t"], len(rows), row))
    return [row for _, _, row in sorted(rows, key=lambda x: (x[0], x[1]))]


def trusted_path(trace: Sequence[Mapping[str, Any]]) -> list[str]:
    """The agent nodes a run went through, from its trusted trace: each routing call is one
    turn of its node; consecutive calls of one agent (its tool loop) are one turn."""
    path: list[str] = []
    for row in trace:
        if row["routing"] or not path or path[-1] != row["node"]:
            path.append(row["node"])
    return path
