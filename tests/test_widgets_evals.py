"""The b1-behaviour-evals views: diffs and tables show the data, confusion counts are right."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from infralab.widgets.evals import (  # noqa: E402
    confusion_counts,
    plot_confusion,
    suite_table,
    trajectory_diff,
)


def test_trajectory_diff_shows_both_sides_and_marks_the_divergence():
    actual = [{"name": "lookup_order", "args": {"order_id": "O1"}}]
    expected = actual + [{"name": "refund_order", "args": {"order_id": "O1", "amount": 5.0}}]
    html = trajectory_diff(actual, expected, 1).data
    assert html.count("<tr") == 3  # header + two steps
    assert "lookup_order(order_id=&quot;O1&quot;)" in html
    assert "refund_order(order_id=&quot;O1&quot;, amount=5.0)" in html
    assert html.count("background:#f5b7b1") == 1 and "1 ◀" in html


def test_trajectory_diff_escapes_text_and_handles_empty_trajectories():
    html = trajectory_diff([{"name": "<b>", "args": {}}], []).data
    assert "&lt;b&gt;()" in html and "<b>" not in html
    assert trajectory_diff([], []).data.count("<tr") == 1


def test_suite_table_formats_rates_and_intervals():
    html = suite_table({("v1", "billing"): {"runs": 20, "rate": 0.85, "ci": (0.64, 0.948)}}).data
    assert "v1 / billing" in html
    assert "0.850" in html and "[0.640, 0.948]" in html and ">20<" in html


def test_confusion_counts_rows_are_truth_and_columns_predictions():
    truth = ["A", "A", "B", "tie"]
    predicted = ["A", "B", "A", "tie"]
    assert confusion_counts(truth, predicted, labels=["A", "B", "tie"]) == [
        [1, 1, 0],
        [1, 0, 0],
        [0, 0, 1],
    ]


def test_confusion_counts_refuses_unknown_labels_and_length_mismatch():
    with pytest.raises(ValueError, match="'C'"):
        confusion_counts(["A"], ["C"], labels=["A", "B"])
    with pytest.raises(ValueError, match="1 true labels but 2"):
        confusion_counts(["A"], ["A", "B"], labels=["A", "B"])


def test_plot_confusion_draws_one_panel_per_set_of_verdicts():
    fig = plot_confusion(["A", "B"], {"x": ["A", "A"], "y": ["B", "B"]}, labels=["A", "B"])
    assert [ax.get_title() for ax in fig.axes] == ["x", "y"]
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["0", "0", "1", "1"]
    plt.close(fig)
