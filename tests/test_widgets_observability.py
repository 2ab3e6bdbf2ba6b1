"""The a3-observability views: the span tree is exact, plots draw the data they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from infralab.widgets.observability import (  # noqa: E402
    plot_burn_alerts,
    plot_spend,
    report_table,
    span_tree,
)


def _span(name, span_id, parent_id, status="UNSET", **attributes):
    return {
        "name": name,
        "span_id": span_id,
        "parent_id": parent_id,
        "trace_id": "t",
        "status": status,
        "attributes": attributes,
    }


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_span_tree_nests_children_and_marks_usage_errors_and_remote_parents():
    spans = [
        _span(
            "chat m", "c", "a", **{"gen_ai.usage.input_tokens": 3, "gen_ai.usage.output_tokens": 4}
        ),
        _span("invoke_agent triage", "a", None),
        _span("execute_tool t", "k", "a", "ERROR", **{"error.type": "KeyError"}),
        _span("consume", "q", "elsewhere"),
        _span("loop", "x", "y"),
        _span("loop back", "y", "x"),
    ]
    assert span_tree(spans).splitlines() == [
        "invoke_agent triage",
        "  chat m  (3+4 tok)",
        "  execute_tool t  (ERROR KeyError)",
        "consume  (<- remote parent)",
    ]  # a malformed cycle has no root: it is not drawn, and drawing terminates


def test_plot_spend_draws_cumulative_steps_and_marks():
    ax = plot_spend({"a": [(2.0, 1.0), (1.0, 0.5)]}, budget=1.0, stopped_at=2.0)
    (line, budget, stop) = ax.get_lines()
    assert list(line.get_xdata()) == [1.0, 2.0] and list(line.get_ydata()) == [0.5, 1.5]
    assert list(budget.get_ydata()) == [1.0, 1.0] and list(stop.get_xdata()) == [2.0, 2.0]


def test_plot_burn_alerts_marks_fired_alerts_and_checks_lengths():
    alerts = [
        {"t": 3600.0, "page": True, "ticket": False},
        {"t": 7200.0, "page": True, "ticket": True},
    ]
    ax = plot_burn_alerts([3600.0, 7200.0], [0.5, 0.0], alerts, budget_rate=0.001)
    pages, tickets = ax.collections
    assert [p[0] for p in pages.get_offsets()] == [1.0, 2.0]
    assert [p[0] for p in tickets.get_offsets()] == [2.0]
    with pytest.raises(ValueError, match="2 times but 1 error rates"):
        plot_burn_alerts([1.0, 2.0], [0.1], [], budget_rate=0.01)


def test_report_table_formats_numbers_and_escapes_text():
    html = report_table([{"model": "<m>", "calls": 1200, "cost": 0.5}], title="t").data
    assert (
        "&lt;m&gt;" in html
        and "1,200" in html
        and "0.5000" in html
        and "<caption>t</caption>" in html
    )
    assert "no rows" in report_table([], title="x").data
