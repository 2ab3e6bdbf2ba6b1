"""infralab.widgets.safety: the scorecard table and the utility / attack-success plot."""

from __future__ import annotations

import matplotlib

from infralab.widgets.safety import cell_text, plot_tradeoff, scorecard_table

matplotlib.use("Agg")

EMPTY = {"rate": None, "low": None, "high": None, "n": 0}


def _card(asr, util):
    return {
        "attack_success": {
            "rate": asr,
            "low": max(0.0, asr - 0.1),
            "high": min(1.0, asr + 0.1),
            "n": 10,
        },
        "utility": {"rate": util, "low": util - 0.1, "high": min(1.0, util + 0.05), "n": 20},
        "false_refusal": EMPTY,
    }


def test_cell_text_shows_rate_interval_and_n_or_na():
    assert cell_text({"rate": 0.25, "low": 0.046, "high": 0.699, "n": 4}) == "0.25 [0.05, 0.70] n=4"
    assert cell_text(EMPTY) == "n/a (n=0)"


def test_table_has_a_row_per_version_and_a_column_per_metric():
    html = scorecard_table({"v1": _card(0.1, 0.9), "v2 <b>": _card(0.4, 0.8)}).data
    assert html.count("<tr>") == 3
    assert "attack_success" in html and "false_refusal" in html and "n/a (n=0)" in html
    assert "v2 &lt;b&gt;" in html  # labels are escaped


def test_plot_puts_each_version_with_data_at_its_rates():
    cards = {
        "v1": _card(0.1, 0.9),
        "v2": _card(0.4, 0.8),
        "none": {"attack_success": EMPTY, "utility": EMPTY},
    }
    fig = plot_tradeoff(cards)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["v1", "v2"]
    points = sorted(
        (round(float(line.get_xdata()[0]), 3), round(float(line.get_ydata()[0]), 3))
        for line in ax.lines
        if len(line.get_xdata()) == 1
    )
    assert (0.1, 0.9) in points and (0.4, 0.8) in points
