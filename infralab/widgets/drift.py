"""Views for lab ``b2-drift``: before/after distributions, a drift table, a monitor's trace.

They take the plain data the lab works with:

- a categorical feature: two count tables ``{category: count}`` (reference, current);
- a numeric feature: two lists of numbers;
- a drift report: one dict per feature (``feature``, ``test``, ``effect``, ``p``, ``adjusted``,
  ``flagged``);
- a monitor: its statistic after each observation, the threshold, the true change point and
  the alarm indices.

Plots are matplotlib figures and the table is HTML; IPython and matplotlib are imported when a
view is called, so importing this module is cheap. Nothing here uses the network.

Example:
    >>> from infralab.widgets.drift import shares
    >>> shares({"a": 1, "b": 3}, {"b": 2})
    (['a', 'b'], [0.25, 0.75], [0.0, 1.0])
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["shares", "plot_categories", "plot_numeric", "drift_table", "plot_monitor"]


def shares(
    reference: Mapping[Any, int], current: Mapping[Any, int]
) -> tuple[list[Any], list[float], list[float]]:
    """The union of categories (by repr) and each table's share of every category.

    An empty table gives shares of 0.0 everywhere (nothing to show, nothing to divide by).
    """
    categories = sorted(set(reference) | set(current), key=repr)
    out = []
    for table in (reference, current):
        total = sum(table.values())
        out.append([table.get(c, 0) / total if total else 0.0 for c in categories])
    return categories, out[0], out[1]


def plot_categories(
    reference: Mapping[Any, int],
    current: Mapping[Any, int],
    *,
    labels: Sequence[str] = ("reference", "current"),
    title: str = "",
):
    """Side-by-side bars of each category's share in the two samples.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    categories, ref, cur = shares(reference, current)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.1 * len(categories) + 2), 3.2))
    xs = range(len(categories))
    ax.bar([x - 0.2 for x in xs], ref, width=0.4, label=labels[0])
    ax.bar([x + 0.2 for x in xs], cur, width=0.4, label=labels[1])
    ax.set_xticks(list(xs), [str(c) for c in categories], rotation=30, ha="right")
    ax.set_ylabel("share of runs")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_numeric(
    reference: Sequence[float],
    current: Sequence[float],
    *,
    labels: Sequence[str] = ("reference", "current"),
    title: str = "",
):
    """Histograms (as shares, on common bins) and empirical CDFs of the two samples.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    both = np.concatenate([ref, cur])
    bins = np.histogram_bin_edges(both, bins=min(20, max(1, len(np.unique(both)))))
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(8.5, 3.2))
    for sample, label in ((ref, labels[0]), (cur, labels[1])):
        if len(sample):
            hist.hist(
                sample,
                bins=bins,
                weights=np.full(len(sample), 1 / len(sample)),
                alpha=0.55,
                label=label,
            )
            xs = np.sort(sample)
            cdf.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", label=label)
    hist.set_ylabel("share of runs")
    hist.set_title(title)
    cdf.set_ylabel("empirical CDF")
    cdf.set_title("the KS statistic is the largest vertical gap")
    hist.legend()
    fig.tight_layout()
    return fig


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.3g}" if value and abs(value) < 1e-3 else f"{value:.3f}"
    return str(value)


def drift_table(rows: Sequence[Mapping[str, Any]], *, sort_by: str = "adjusted"):
    """A ranked HTML table of features: the smallest ``sort_by`` value first.

    Columns are the union of the rows' keys in first-seen order; a row whose ``flagged`` value
    is true is highlighted.
    """
    from IPython.display import HTML

    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    ranked = sorted(rows, key=lambda r: (r.get(sort_by) is None, r.get(sort_by, 0.0)))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for row in ranked:
        style = " style='background:#f5b7b1'" if row.get("flagged") else ""
        cells = "".join(f"<td>{html.escape(_fmt(row.get(c, '')))}</td>" for c in columns)
        body.append(f"<tr{style}>{cells}</tr>")
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def plot_monitor(
    statistic: Sequence[float],
    *,
    threshold: float,
    change_at: int | None = None,
    alarms: Sequence[int] = (),
):
    """A detector's statistic over the stream, its threshold, the true change and the alarms.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 3.2))
    ax.plot(range(len(statistic)), statistic, label="statistic")
    ax.axhline(threshold, color="grey", linestyle="--", label="threshold")
    if change_at is not None:
        ax.axvline(change_at, color="black", linewidth=1, label="true change")
    for i, alarm in enumerate(alarms):
        ax.axvline(alarm, color="red", linestyle=":", label="alarm" if i == 0 else None)
    ax.set_xlabel("observation")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig
