"""Views for lab ``b1-behaviour-evals``: trajectory diffs, suite reports, judge confusion.

They take the plain data the lab works with:

- a trajectory: a list of calls ``{"name": "refund_order", "args": {...}}``;
- a suite report: ``(version, family) -> {column: value}`` (an interval is a ``(low, high)``
  pair);
- judge verdicts: lists of labels, one per labelled item.

Tables are HTML, plots matplotlib figures; IPython and matplotlib are imported when a view is
called, so importing this module is cheap. Nothing here uses the network.

Example:
    >>> from infralab.widgets.evals import confusion_counts
    >>> confusion_counts(["A", "B", "A"], ["A", "A", "A"], labels=["A", "B"])
    [[2, 0], [1, 0]]
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["trajectory_diff", "suite_table", "confusion_counts", "plot_confusion"]


def _call_text(call: Mapping[str, Any] | None) -> str:
    if call is None:
        return ""
    args = ", ".join(f"{k}={json.dumps(v)}" for k, v in dict(call.get("args") or {}).items())
    return f"{call.get('name', '?')}({args})"


def trajectory_diff(
    actual: Sequence[Mapping[str, Any]],
    expected: Sequence[Mapping[str, Any]],
    first_divergence: int | None = None,
):
    """Two trajectories side by side, position by position, the first divergence marked.

    Args:
        actual: what the agent did.
        expected: the reference trajectory.
        first_divergence: the position to highlight (as ``match_trajectory`` reports it), or
            None for no highlight.

    Returns:
        An ``IPython.display.HTML`` table.
    """
    from IPython.display import HTML

    rows = []
    for i in range(max(len(actual), len(expected))):
        a = actual[i] if i < len(actual) else None
        e = expected[i] if i < len(expected) else None
        mark = i == first_divergence
        style = " style='background:#f5b7b1'" if mark else ""
        rows.append(
            f"<tr{style}><td>{i}{' ◀' if mark else ''}</td>"
            f"<td style='text-align:left'>{html.escape(_call_text(a))}</td>"
            f"<td style='text-align:left'>{html.escape(_call_text(e))}</td></tr>"
        )
    head = "<tr><th>step</th><th style='text-align:left'>agent</th>"
    head += "<th style='text-align:left'>reference</th></tr>"
    return HTML(f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, tuple | list) and len(value) == 2:
        return f"[{_fmt(value[0])}, {_fmt(value[1])}]"
    return str(value)


def suite_table(report: Mapping[Any, Mapping[str, Any]]):
    """A suite report as an HTML table: one row per key (e.g. ``(version, family)``).

    Columns are the union of the rows' keys in first-seen order; floats get three decimals
    and a ``(low, high)`` pair is shown as an interval.
    """
    from IPython.display import HTML

    columns: list[str] = []
    for row in report.values():
        columns.extend(k for k in row if k not in columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ["", *columns])
    body = []
    for key, row in report.items():
        label = " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        cells = [label, *(_fmt(row[c]) if c in row else "" for c in columns)]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def confusion_counts(
    truth: Sequence[str], predicted: Sequence[str], *, labels: Sequence[str]
) -> list[list[int]]:
    """Counts ``[i][j]`` of items whose true label is ``labels[i]`` and prediction ``labels[j]``.

    Raises:
        ValueError: the lists differ in length, or hold a label not in ``labels``.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        if t not in index or p not in index:
            raise ValueError(f"label {t if t not in index else p!r} is not one of {list(labels)}")
        counts[index[t]][index[p]] += 1
    return counts


def plot_confusion(
    truth: Sequence[str],
    predictions: Mapping[str, Sequence[str]],
    *,
    labels: Sequence[str],
):
    """Confusion matrices of one or more sets of judge verdicts against the true labels.

    Args:
        truth: the true labels.
        predictions: title -> verdicts (e.g. ``{"one order": [...], "both orders": [...]}``).
        labels: the label order of rows (true) and columns (judge).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(predictions), figsize=(3.6 * len(predictions), 3.4))
    axes = [axes] if len(predictions) == 1 else list(axes)
    for ax, (title, predicted) in zip(axes, predictions.items(), strict=True):
        counts = confusion_counts(truth, predicted, labels=labels)
        ax.imshow(counts, cmap="Blues")
        for i, row in enumerate(counts):
            for j, value in enumerate(row):
                ax.text(j, i, str(value), ha="center", va="center")
        ax.set_xticks(range(len(labels)), labels)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("judge")
        ax.set_ylabel("true label")
        ax.set_title(title)
    fig.tight_layout()
    return fig
