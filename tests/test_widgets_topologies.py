"""The a1-topologies views: tables render the records they get, plots draw the right data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from infralab.widgets.topologies import (  # noqa: E402
    comparison_table,
    plot_comparison,
    plot_cumulative_tokens,
    runs_table,
)

RECORDS = [
    {
        "topology": "star",
        "scenario_id": "sd-001",
        "route": "billing",
        "path": ["supervisor", "billing", "supervisor"],
        "hops": 2,
        "status": "done",
        "reason": None,
        "success": True,
        "cost_usd": 0.000412,
        "latency_s": 2.5,
    },
    {
        "topology": "mesh",
        "scenario_id": "sd-002",
        "path": ["triage", "shipping"],
        "hops": 1,
        "status": "escalated",
        "reason": "ping_pong: <a> -> <b>",
        "success": False,
    },
]


def test_runs_table_shows_one_row_per_record_and_escapes_text():
    html = runs_table(RECORDS).data
    assert html.count("<tr>") == 3  # header + two runs
    assert "supervisor → billing → supervisor" in html
    assert "&lt;a&gt;" in html and "<a>" not in html
    assert "0.000412" in html  # small costs keep their significant digits
    assert "yes" in html and "no" in html


def test_runs_table_columns_are_chosen_and_missing_keys_are_empty():
    html = runs_table(RECORDS, columns=["scenario_id", "route"]).data
    assert "<th style='text-align:left'>route</th>" in html
    assert "hops" not in html
    assert "<td style='text-align:left'></td>" in html  # the mesh run has no route


def test_comparison_table_has_a_row_per_topology_and_union_of_metrics():
    html = comparison_table({"star": {"runs": 3}, "mesh": {"runs": 2, "mean_hops": 1.5}}).data
    assert html.count("<tr>") == 3
    assert "mean_hops" in html and "1.500" in html


def test_plot_comparison_draws_a_bar_per_topology_and_metric():
    table = {
        "star": {"success_rate": 0.9, "mean_hops": 2.0, "mean_cost_usd": 0.001, "p95_latency_s": 3},
        "mesh": {"success_rate": 0.8, "mean_hops": 1.5, "mean_cost_usd": None, "p95_latency_s": 2},
    }
    fig = plot_comparison(table)
    try:
        axes = fig.axes
        assert [ax.get_title() for ax in axes][0] == "success rate"
        heights = [[p.get_height() for p in ax.patches] for ax in axes]
        assert heights[0] == [0.9, 0.8]
        assert heights[2] == [0.001, 0.0]  # non-numeric draws an empty bar
    finally:
        plt.close(fig)


def test_plot_comparison_refuses_an_empty_table():
    with pytest.raises(ValueError, match="no topologies"):
        plot_comparison({})


def test_plot_cumulative_tokens_accumulates_and_names_bad_calls():
    fig = plot_cumulative_tokens(
        {
            "guarded": [
                {"input_tokens": 10, "output_tokens": 5},
                {"input_tokens": 20, "output_tokens": 5},
            ]
        }
    )
    try:
        (line,) = fig.axes[0].get_lines()
        assert list(line.get_ydata()) == [15, 40]
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match=r"run 'x', call 1"):
        plot_cumulative_tokens(
            {"x": [{"input_tokens": 1, "output_tokens": 1}, {"input_tokens": 2}]}
        )
