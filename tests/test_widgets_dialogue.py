"""The c2-interaction-design views: rows line up with the user's events, tables escape text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from infralab.users import SimulatedUser, run_conversation  # noqa: E402
from infralab.widgets.dialogue import (  # noqa: E402
    conversation_rows,
    plot_tradeoff,
    side_by_side,
)


def _transcript(patience=2):
    user = SimulatedUser("sd-0055", seed=1, patience=patience, vagueness=0.0, changes_mind=0.0)
    return run_conversation(lambda messages: "What is your order number?", user, max_turns=4)


def test_rows_put_each_turns_events_on_the_users_reply():
    t = _transcript()
    rows = conversation_rows(t)
    assert [r["role"] for r in rows[:3]] == ["user", "assistant", "user"]
    assert rows[0]["events"] == [] and rows[1]["events"] == []
    assert rows[2]["events"] == [e["kind"] for e in t["events"] if e["turn"] == 1]
    # the user gave up at its last turn without a reply: a row of its own holds those events
    assert t["outcome"] == "gave_up"
    assert rows[-1]["text"] == "" and "gave_up" in rows[-1]["events"]
    kinds = [k for r in rows for k in r["events"]]
    assert kinds == [e["kind"] for e in t["events"]]


def test_rows_show_tool_calls_as_text():
    t = {
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"name": "refund_order", "args": {"order_id": "O1"}, "id": "c"}],
            },
        ],
        "events": [],
    }
    assert conversation_rows(t)[1]["calls"] == 'refund_order(order_id="O1")'


def test_side_by_side_has_both_outcomes_and_escapes_text():
    left = _transcript()
    right = {
        "outcome": "resolved",
        "assistant_turns": 1,
        "messages": [{"role": "user", "content": "<script>x</script>"}],
        "events": [],
    }
    page = side_by_side(left, right, titles=("plain", "clarify")).data
    assert "plain: gave_up" in page and "clarify: resolved, 1 agent turns" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert page.count("<tr>") == 1 + len(conversation_rows(left))


def test_plot_tradeoff_draws_the_points_in_order():
    fig = plot_tradeoff([(0, 3.0), (2, 1.5), (5, 0.0)], ["1x", "5x", "20x"])
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [0.0, 2.0, 5.0]
    assert list(line.get_ydata()) == [3.0, 1.5, 0.0]
    assert [t.get_text() for t in fig.axes[0].texts] == ["1x", "5x", "20x"]
    plt.close(fig)
    with pytest.raises(ValueError):
        plot_tradeoff([(0, 1)], ["a", "b"])
