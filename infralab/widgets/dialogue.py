"""Views for lab ``c2-interaction-design``: conversations side by side, the ask/act trade-off.

They take the plain data the lab works with:

- a transcript: what :func:`infralab.users.run_conversation` returns (``messages``,
  ``events``, ``outcome``...);
- trade-off points: ``(questions asked, wrong actions)`` pairs, one per policy setting.

Tables are HTML, plots matplotlib figures; IPython and matplotlib are imported when a view is
called, so importing this module is cheap. Nothing here uses the network.

Example:
    >>> rows = conversation_rows({
    ...     "messages": [{"role": "user", "content": "Refund O1"},
    ...                  {"role": "assistant", "content": "How much?"},
    ...                  {"role": "user", "content": "5.00"}],
    ...     "events": [{"turn": 1, "kind": "answer"}],
    ... })
    >>> [(r["role"], r["events"]) for r in rows]
    [('user', []), ('assistant', []), ('user', ['answer'])]
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["conversation_rows", "side_by_side", "plot_tradeoff"]


def _calls_text(message: Mapping[str, Any]) -> str:
    calls = message.get("tool_calls") or []
    return "; ".join(
        f"{c.get('name', '?')}("
        + ", ".join(f"{k}={json.dumps(v)}" for k, v in dict(c.get("args") or {}).items())
        + ")"
        for c in calls
    )


def conversation_rows(transcript: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per message: ``role``, ``text``, ``calls`` (tool calls as text), ``events``.

    ``events`` lists the kinds of the simulated user's events on that message: the user's
    n-th reply (the opening message is reply 0) carries the events of turn n, so each reply
    shows how the user took the assistant turn before it.
    """
    by_turn: dict[int, list[str]] = {}
    for e in transcript.get("events", []):
        by_turn.setdefault(int(e["turn"]), []).append(str(e["kind"]))
    rows = []
    user_turn = -1
    for m in transcript.get("messages", []):
        events: list[str] = []
        if m.get("role") == "user":
            user_turn += 1
            events = by_turn.get(user_turn, []) if user_turn > 0 else []
        rows.append(
            {
                "role": str(m.get("role", "")),
                "text": str(m.get("content", "")),
                "calls": _calls_text(m),
                "events": events,
            }
        )
    # events after the last reply (the user gave up without a word) go on a row of their own
    last = by_turn.get(user_turn + 1)
    if last:
        rows.append({"role": "user", "text": "", "calls": "", "events": last})
    return rows


def _cell(row: Mapping[str, Any] | None) -> str:
    if row is None:
        return "<td></td>"
    parts = [f"<b>{html.escape(row['role'])}</b> {html.escape(row['text'])}"]
    if row["calls"]:
        parts.append(f"<code>{html.escape(row['calls'])}</code>")
    if row["events"]:
        parts.append(f"<i>user: {html.escape(', '.join(row['events']))}</i>")
    return f"<td style='text-align:left;vertical-align:top'>{'<br>'.join(parts)}</td>"


def side_by_side(
    left: Mapping[str, Any],
    right: Mapping[str, Any],
    *,
    titles: Sequence[str] = ("left", "right"),
):
    """Two transcripts in two columns, message by message, with each one's outcome on top.

    Args:
        left, right: ``run_conversation`` transcripts (plain data).
        titles: the two column headings (the policies compared, say).

    Returns:
        An ``IPython.display.HTML`` table.
    """
    from IPython.display import HTML

    a, b = conversation_rows(left), conversation_rows(right)
    head = "".join(
        f"<th style='text-align:left'>{html.escape(str(title))}: "
        f"{html.escape(str(t.get('outcome', '?')))}, "
        f"{t.get('assistant_turns', '?')} agent turns</th>"
        for title, t in zip(titles, (left, right), strict=True)
    )
    body = "".join(
        "<tr>" + _cell(a[i] if i < len(a) else None) + _cell(b[i] if i < len(b) else None) + "</tr>"
        for i in range(max(len(a), len(b)))
    )
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def plot_tradeoff(
    points: Sequence[tuple[float, float]],
    labels: Sequence[str] | None = None,
    *,
    ax: Any = None,
    title: str = "questions against wrong actions",
):
    """The trade-off curve of a clarification policy: one point per setting, in order.

    Args:
        points: ``(questions asked, wrong actions)`` per setting (a cost ratio, a threshold).
        labels: one annotation per point (``"10x"``), or None.
        ax: a matplotlib Axes to draw on (default: a new figure).
        title: the plot's title.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if labels is not None and len(labels) != len(points):
        raise ValueError("labels must have one entry per point")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    ax.plot(xs, ys, marker="o")
    for i, label in enumerate(labels or []):
        ax.annotate(str(label), (xs[i], ys[i]), textcoords="offset points", xytext=(4, 4))
    ax.set_xlabel("questions asked")
    ax.set_ylabel("wrong actions (expected)")
    ax.set_title(title)
    return ax.figure
