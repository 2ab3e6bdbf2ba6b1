"""The b2-drift views: shares are right, plots draw what they are given, the table ranks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402

from infralab.widgets.drift import (  # noqa: E402
    drift_table,
    plot_categories,
    plot_monitor,
    plot_numeric,
    shares,
)


def test_shares_cover_the_union_of_categories_and_sum_to_one():
    categories, ref, cur = shares({"a": 1, "b": 3}, {"b": 2, "c": 2})
    assert categories == ["a", "b", "c"]
    assert ref == [0.25, 0.75, 0.0] and cur == [0.0, 0.5, 0.5]


def test_shares_of_an_empty_table_are_zero_not_an_error():
    assert shares({}, {"x": 0}) == (["x"], [0.0], [0.0])


def test_plot_categories_draws_one_bar_per_category_and_sample():
    fig = plot_categories({"a": 1, "b": 3}, {"b": 2, "c": 2}, labels=("old", "new"), title="t")
    ax = fig.axes[0]
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["old", "new"]
    plt.close(fig)


def test_plot_numeric_draws_histograms_and_cdfs_and_tolerates_an_empty_sample():
    fig = plot_numeric([1, 2, 2, 3], [2, 3, 3, 4])
    hist, cdf = fig.axes
    assert len(cdf.lines) == 2
    assert sum(p.get_height() for p in hist.patches) > 1.99  # two histograms of shares
    plt.close(fig)
    fig = plot_numeric([1, 2], [])
    assert len(fig.axes[1].lines) == 1
    plt.close(fig)


def test_drift_table_ranks_by_adjusted_p_value_and_marks_flagged_rows():
    rows = [
        {"feature": "steps", "adjusted": 0.4, "flagged": False},
        {"feature": "<asked>", "adjusted": 0.001, "flagged": True},
    ]
    html = drift_table(rows).data
    assert html.index("&lt;asked&gt;") < html.index("steps")
    assert html.count("background:#f5b7b1") == 1 and "<asked>" not in html
    assert "0.001" in html and "0.400" in html


def test_plot_monitor_marks_threshold_change_and_every_alarm():
    fig = plot_monitor([0.0, 1.0, 2.0, 0.0, 2.5], threshold=2, change_at=1, alarms=[2, 4])
    ax = fig.axes[0]
    # statistic, threshold, change, two alarms
    assert len(ax.lines) == 5
    assert list(ax.lines[0].get_ydata()) == [0.0, 1.0, 2.0, 0.0, 2.5]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["statistic", "threshold", "true change", "alarm"]
    plt.close(fig)
