"""The a2-resilience views: state replay is exact, plots draw the data they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from infralab.widgets.resilience import (  # noqa: E402
    STATES,
    drill_explorer,
    drill_table,
    plot_backoff,
    plot_breaker_timeline,
    plot_drill_comparison,
    state_at,
    state_spans,
)

EVENTS = [
    {"at": 60.0, "from": "closed", "to": "open"},
    {"at": 90.0, "from": "open", "to": "half_open"},
    {"at": 90.0, "from": "half_open", "to": "open"},
    {"at": 120.0, "from": "open", "to": "half_open"},
    {"at": 121.5, "from": "half_open", "to": "closed"},
]
CALLS = [
    {"route": "primary", "start": 10.0, "outcome": "ok"},
    {"route": "primary", "start": 61.0, "outcome": "not_permitted"},
    {"route": "primary", "start": 62.0, "outcome": "not_permitted"},
    {"route": "primary", "start": 58.0, "outcome": "service_unavailable"},
    {"route": "secondary", "start": 61.0, "outcome": "ok"},
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_state_at_replays_events_and_an_event_at_t_has_happened():
    assert state_at(EVENTS, 0.0) == "closed"
    assert state_at(EVENTS, 59.999) == "closed"
    assert state_at(EVENTS, 60.0) == "open"
    assert state_at(EVENTS, 90.0) == "open"  # half_open and back to open at the same instant
    assert state_at(EVENTS, 121.0) == "half_open"
    assert state_at(EVENTS, 500.0) == "closed"
    assert state_at([], 10.0) == "closed"


def test_state_spans_cover_the_range_and_drop_zero_length_spans():
    spans = state_spans(EVENTS, end=200.0)
    assert spans == [
        (0.0, 60.0, "closed"),
        (60.0, 90.0, "open"),
        (90.0, 120.0, "open"),
        (120.0, 121.5, "half_open"),
        (121.5, 200.0, "closed"),
    ]
    assert state_spans(EVENTS, end=75.0, start=0.0)[-1] == (60.0, 75.0, "open")
    assert state_spans([], end=5.0) == [(0.0, 5.0, "closed")]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([{"at": 1.0, "from": "closed"}], r"events\[0\]: missing key 'to'"),
        ([{"at": 1.0, "from": "closed", "to": "broken"}], r"events\[0\]\.to: unknown state"),
        ([{"at": "soon", "from": "closed", "to": "open"}], r"events\[0\]\.at: must be a finite"),
        (
            [
                {"at": 5.0, "from": "closed", "to": "open"},
                {"at": 4.0, "from": "open", "to": "half_open"},
            ],
            r"events\[1\]\.at: 4.0 is before the previous event",
        ),
        ("closed", "events must be a list of dicts"),
        ([["closed", "open"]], r"events\[0\]: an event must be a dict"),
    ],
)
def test_bad_events_are_named(events, message):
    with pytest.raises(ValueError, match=message):
        state_at(events, 1.0)


def test_state_spans_rejects_an_end_before_the_start():
    with pytest.raises(ValueError, match="end"):
        state_spans(EVENTS, end=1.0, start=2.0)


def _bars_by_lane(ax):
    """{lane y: [(left, width, colour), ...]} of the state bands drawn."""
    out: dict[float, list[tuple[float, float, str]]] = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2, 6)
        out.setdefault(y, []).append(
            (patch.get_x(), patch.get_width(), to_hex(patch.get_facecolor()))
        )
    return out


def _marks(ax, marker):
    return sorted(
        (x, y)
        for line in ax.lines
        if line.get_marker() == marker
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
    )


def test_timeline_draws_each_lane_state_and_each_call_on_its_route():
    ax = plot_breaker_timeline({"primary": EVENTS, "secondary": []}, CALLS, end=200.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["secondary", "primary"]
    bars = _bars_by_lane(ax)
    primary, secondary = bars[1.0], bars[0.0]  # the first lane is drawn on top
    assert [(x, w) for x, w, _ in primary] == [
        (0.0, 60.0),
        (60.0, 30.0),
        (90.0, 30.0),
        (120.0, 1.5),
        (121.5, 78.5),
    ]
    assert [c for _x, _w, c in primary] == [
        STATES["closed"],
        STATES["open"],
        STATES["open"],
        STATES["half_open"],
        STATES["closed"],
    ]
    assert secondary == [(0.0, 200.0, STATES["closed"])]
    assert _marks(ax, "o") == [(10.0, 1.0), (61.0, 0.0)]  # ok calls, on their own lanes
    assert _marks(ax, "|") == [(61.0, 1.0), (62.0, 1.0)]  # refused calls
    assert _marks(ax, "x") == [(58.0, 1.0)]  # the failed call
    assert ax.get_xlim() == (0.0, 200.0)


def test_timeline_adds_a_lane_for_a_route_without_a_breaker_and_accepts_one_breaker():
    ax = plot_breaker_timeline(EVENTS, [{"route": "cache", "start": 3.0, "outcome": "ok"}])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cache", "breaker"]
    assert _marks(ax, "o") == [(3.0, 0.0)]
    assert ax.get_xlim()[1] > 121.5  # default end: after the last event, with a margin
    legend = ax.figure.legends[0]
    assert "refused" in [t.get_text() for t in legend.get_texts()]


def test_timeline_on_a_given_axes_keeps_the_legend_inside_it():
    _fig, ax = plt.subplots()
    assert plot_breaker_timeline(EVENTS, CALLS[:1], ax=ax) is ax
    assert ax.get_legend() is not None and not ax.figure.legends


def test_timeline_names_a_bad_call():
    with pytest.raises(ValueError, match=r"calls\[1\]: needs 'start' and 'outcome'"):
        plot_breaker_timeline(EVENTS, [CALLS[0], {"route": "primary", "outcome": "ok"}])
    with pytest.raises(ValueError, match=r"calls\[0\]\.start"):
        plot_breaker_timeline(EVENTS, [{"start": None, "outcome": "ok"}])


def test_plot_backoff_draws_every_sample_and_the_capped_ceiling():
    samples = {0: [0.1, 0.4], 3: [2.5], 6: [7.9, 0.0]}
    ax = plot_backoff(samples, base=0.5, cap=8.0)
    points = sorted(
        (x, y)
        for line in ax.lines
        if line.get_marker() == "o"
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
    )
    assert points == [(0, 0.1), (0, 0.4), (3, 2.5), (6, 0.0), (6, 7.9)]
    (ceiling,) = ax.collections  # one short horizontal segment per retry number
    assert [(round(a[0][0], 2), a[0][1], round(a[1][0], 2)) for a in ceiling.get_segments()] == [
        (-0.35, 0.5, 0.35),
        (2.65, 4.0, 3.35),
        (5.65, 8.0, 6.35),
    ]
    with pytest.raises(ValueError, match=r"delays\[3\]\[0\]"):
        plot_backoff({3: ["slow"]}, base=0.5, cap=8.0)


RESULTS = {
    "outage-90s": {
        "naive": {
            "served_rate": 0.88,
            "amplification": 1.49,
            "cost_usd": 0.096,
            "p95_latency": 20.0,
        },
        "yours": {
            "served_rate": 1.0,
            "amplification": 1.05,
            "cost_usd": 0.4358,
            "p95_latency": 1.82,
        },
    },
    "brownout": {
        "naive": {
            "served_rate": 0.985,
            "amplification": 1.11,
            "cost_usd": 0.00042,
            "p95_latency": 190.25,
        },
        "yours": {"served_rate": 1.0, "amplification": float("nan"), "cost_usd": 0.41},
    },
}


def test_drill_table_has_a_row_per_incident_and_strategy():
    html = drill_table(RESULTS).data
    assert html.count("<tr>") == 5
    assert (
        "<td style='text-align:left'>outage-90s</td><td style='text-align:left'>naive</td>" in html
    )
    assert "1.490" in html and "0.00042" in html  # small costs keep significant digits
    assert "<td style='text-align:left'></td>" in html  # the missing p95 is an empty cell


def test_drill_comparison_draws_one_bar_per_strategy_and_incident_with_a_number():
    fig = plot_drill_comparison(RESULTS)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [
        "served by a model",
        "calls per request",
        "cost (USD)",
        "p95 latency (virtual s)",
    ]
    heights = sorted(round(p.get_height(), 6) for p in axes[1].patches)
    assert heights == [1.05, 1.11, 1.49]  # the NaN amplification draws no bar
    assert len(axes[3].patches) == 3  # the missing p95 draws no bar
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["outage-90s", "brownout"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["naive", "yours"]


def test_drill_views_reject_malformed_results():
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_drill_comparison({})
    with pytest.raises(ValueError, match=r"results\['brownout'\]\['naive'\]: a summary must be"):
        drill_table({"brownout": {"naive": [1, 2]}})
    with pytest.raises(ValueError, match="no metrics"):
        plot_drill_comparison(RESULTS, metrics=())


def test_drill_explorer_switches_runs():
    runs = {
        "a": {"breakers": {"primary": EVENTS}, "calls": CALLS, "end": 200.0},
        "b": {"breakers": {}, "calls": [], "end": 10.0},
    }
    box = drill_explorer(runs)
    choice, out = box.children
    assert list(choice.options) == ["a", "b"]
    choice.value = "b"  # redraws without error
    assert choice.value == "b" and out is box.children[1]
    with pytest.raises(ValueError, match=r"runs\['x'\]: needs 'breakers' and 'calls'"):
        drill_explorer({"x": {"calls": []}})
