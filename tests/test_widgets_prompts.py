"""The c1-prompt-systems views: diffs are coloured and escaped, tables show the data, the curve plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402

from infralab.widgets.prompts import (  # noqa: E402
    diff_html,
    effect_table,
    history_table,
    method_table,
    plot_budget_curve,
)


def test_diff_html_colours_each_kind_of_line_and_escapes_text():
    html = diff_html(["--- p@1.0.0", "+++ p@1.1.0", "@@ -1 +1 @@", "-<old>", "+new {x}", " same"])
    assert html.count("<span") == 6
    assert '<span style="color:#cf222e">-&lt;old&gt;</span>' in html
    assert '<span style="color:#1a7f37">+new {x}</span>' in html
    assert '<span style="color:#8250df">@@ -1 +1 @@</span>' in html
    # The file headers start with - and + too, but are not removed or added lines.
    assert '<span style="color:#57606a">--- p@1.0.0</span>' in html
    assert diff_html([]) == ""


def test_history_table_has_one_row_per_version_with_labels_and_diff():
    rows = [
        {"version": "1.0.0", "hash": "aaaa", "labels": ["production"], "diff": []},
        {"version": "1.1.0", "hash": "bbbb", "labels": ["canary"], "diff": ["-a", "+b"]},
    ]
    html = history_table(rows).data
    assert html.count("<tr>") == 3  # header + two versions
    assert "(first version)" in html and "production" in html and "canary" in html
    assert "<code>bbbb</code>" in html and "+b" in html


def test_method_and_effect_tables_format_numbers_and_decisions():
    html = method_table(
        [
            {
                "method": "json_mode",
                "valid": 0.55,
                "calls": 40,
                "cost_usd": 0.00169,
                "latency_s": 0.79,
            }
        ]
    ).data
    assert ">json_mode<" in html and ">0.55<" in html and ">40<" in html and ">0.00169<" in html
    effect = {"delta": 0.2, "low": 0.074, "high": 0.326}
    html = effect_table(
        [
            {
                "change": "v1 -> v2",
                "accuracy before": 0.75,
                "accuracy after": 0.95,
                "promote": True,
                "reasons": [],
                "effect": effect,
            },
            {
                "change": "v2 -> v3",
                "promote": False,
                "reasons": ["must_pass:c1", "regression"],
                "effect": effect,
            },
        ]
    ).data
    assert "v1 -&gt; v2" in html and "+0.200 [+0.074, +0.326]" in html
    assert ">promote<" in html and ">block<" in html and "must_pass:c1, regression" in html


def test_plot_budget_curve_plots_one_point_per_budget():
    points = [
        {"budget": 100, "tokens": 90.0, "facts": 0.2},
        {"budget": 200, "tokens": 180.5, "facts": 0.8},
    ]
    fig = plot_budget_curve(points)
    try:
        (line,) = fig.axes[0].get_lines()
        assert list(line.get_xdata()) == [90.0, 180.5]
        assert list(line.get_ydata()) == [0.2, 0.8]
        assert [t.get_text() for t in fig.axes[0].texts] == ["100", "200"]
    finally:
        plt.close(fig)
