"""Views for lab ``a4-state-and-events``: a consumer group's backlog, CAP policies compared.

They take the plain records the lab works with (lists and dicts of numbers and strings), so
they render a grader's or a learner's own records too. Tables are HTML, plots matplotlib.

Example:
    >>> from infralab.widgets.state_events import cap_table
    >>> html = cap_table({"CP": {"operations": 4, "refused": 1, "availability": 0.75,
    ...                          "stale_reads": 0, "lost_updates": 0}}).data
    >>> "0.75" in html
    True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["plot_backlog", "cap_table", "plot_cap", "CAP_COLUMNS"]

#: Columns of :func:`cap_table`: (key of a ``run_schedule`` result, header).
CAP_COLUMNS = (
    ("operations", "operations"),
    ("refused", "refused"),
    ("availability", "availability"),
    ("stale_reads", "stale reads"),
    ("lost_updates", "lost updates"),
)


def plot_backlog(samples: Sequence[Mapping[str, Any]], *, ax: Any = None) -> Any:
    """Lag and pending of a consumer group over (virtual) time.

    Args:
        samples: dicts with ``t`` (seconds), ``lag`` and ``pending`` (counts), in time order.
        ax: a matplotlib ``Axes`` to draw on; None makes a new figure.

    Returns:
        the ``Axes``.

    Raises:
        ValueError: a sample lacks ``t``, ``lag`` or ``pending`` (its index is named).
    """
    for i, s in enumerate(samples):
        missing = [k for k in ("t", "lag", "pending") if k not in s]
        if missing:
            raise ValueError(f"backlog sample {i} has no {', '.join(missing)}: {dict(s)!r}")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    ts = [s["t"] for s in samples]
    ax.step(ts, [s["lag"] for s in samples], where="post", label="lag (not yet delivered)")
    ax.step(ts, [s["pending"] for s in samples], where="post", label="pending (not acknowledged)")
    ax.set_xlabel("virtual time (s)")
    ax.set_ylabel("entries")
    ax.set_title("consumer group backlog")
    ax.legend(loc="upper right")
    return ax


def cap_table(results: Mapping[str, Mapping[str, Any]]) -> Any:
    """An HTML table, one row per policy, of ``infralab.replicas.run_schedule`` results.

    Returns:
        an ``IPython.display.HTML`` object (its ``data`` is the HTML text).
    """
    from IPython.display import HTML

    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in CAP_COLUMNS)
    rows = []
    for name, res in results.items():
        cells = []
        for key, _ in CAP_COLUMNS:
            value = res.get(key, "")
            text = f"{value:.2f}" if isinstance(value, float) else str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append(f"<tr><th>{html.escape(str(name))}</th>{''.join(cells)}</tr>")
    return HTML(f"<table><tr><th>policy</th>{head}</tr>{''.join(rows)}</table>")


def plot_cap(results: Mapping[str, Mapping[str, Any]], *, ax: Any = None) -> Any:
    """Each operation of each policy's schedule on a time line: served, stale or refused.

    Args:
        results: policy name -> ``run_schedule`` result (its ``events`` are drawn).
        ax: a matplotlib ``Axes``; None makes a new figure.

    Returns:
        the ``Axes``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1 + 0.8 * len(results)))
    colours = {"ok": "tab:green", "stale": "tab:orange", "refused": "tab:red"}
    names = list(results)
    for row, name in enumerate(names):
        for e in results[name].get("events", []):
            marker = "s" if e["op"] == "write" else "o"
            ax.scatter(e["t"], row, marker=marker, color=colours.get(e["outcome"], "grey"), s=60)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.5, len(names) - 0.5)
    ax.set_xlabel("virtual time (s)   square = write, circle = read")
    ax.set_title("green served · orange stale · red refused")
    return ax
