"""Views for lab ``a2-resilience``: breaker timelines, backoff samples, drill comparisons.

They take the plain data the lab works with, so they render a learner's records as well as a
grader's:

- breaker events: ``{"at": 12.0, "from": "closed", "to": "open"}`` (what a ``CircuitBreaker``
  appends to its ``events`` list);
- call records: ``{"route": "primary", "start": 12.0, "end": 13.1, "outcome": "ok"}``, where
  ``outcome`` is ``"ok"``, ``"not_permitted"`` (refused by a breaker, never sent) or a provider
  error code such as ``"service_unavailable"`` (what ``FallbackChain.invoke`` records under
  ``"attempts"``);
- drill summaries: incident -> strategy -> metric -> number.

Plots are matplotlib figures and tables are HTML; matplotlib and IPython are imported when a
view is called, so importing this module is cheap. Nothing here uses the network.

Example:
    >>> from infralab.widgets.resilience import state_at
    >>> state_at([{"at": 60.0, "from": "closed", "to": "open"}], 90.0)
    'open'
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "STATES",
    "state_at",
    "state_spans",
    "plot_breaker_timeline",
    "plot_backoff",
    "drill_table",
    "plot_drill_comparison",
    "drill_explorer",
]

#: Breaker states and the colour each is drawn in.
STATES = {"closed": "#d5f5e3", "open": "#f5b7b1", "half_open": "#fdebd0"}

#: Metrics that :func:`plot_drill_comparison` and :func:`drill_table` show: (key, label).
DRILL_METRICS = (
    ("served_rate", "served by a model"),
    ("amplification", "calls per request"),
    ("cost_usd", "cost (USD)"),
    ("p95_latency", "p95 latency (virtual s)"),
)

_OK, _REFUSED = "ok", "not_permitted"


def _figure_of(ax: Any) -> Any:
    """The top-level Figure an Axes is drawn on (``ax.figure`` may be a SubFigure)."""
    fig = ax.figure
    return fig.figure if hasattr(fig, "figure") and fig.figure is not None else fig


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: must be a finite number, got {value!r}")
    return float(value)


def _check_events(events: Sequence[Mapping[str, Any]], label: str) -> list[tuple[float, str, str]]:
    """Events as (at, from, to), validated: states known, times never going back."""
    if isinstance(events, str | bytes | Mapping) or not isinstance(events, Sequence):
        raise ValueError(f"{label}: events must be a list of dicts, got {type(events).__name__}")
    out: list[tuple[float, str, str]] = []
    for i, event in enumerate(events):
        where = f"{label}[{i}]"
        if not isinstance(event, Mapping):
            raise ValueError(f"{where}: an event must be a dict, got {type(event).__name__}")
        for key in ("at", "from", "to"):
            if key not in event:
                raise ValueError(f"{where}: missing key {key!r} (an event has at, from, to)")
        at = _number(event["at"], f"{where}.at")
        for key in ("from", "to"):
            if event[key] not in STATES:
                raise ValueError(
                    f"{where}.{key}: unknown state {event[key]!r}; states: {', '.join(STATES)}"
                )
        if out and at < out[-1][0]:
            raise ValueError(f"{where}.at: {at} is before the previous event ({out[-1][0]})")
        out.append((at, event["from"], event["to"]))
    return out


def state_at(events: Sequence[Mapping[str, Any]], t: float) -> str:
    """The breaker's state at virtual time ``t``, replaying its events (closed before any).

    An event at exactly ``t`` has already happened.
    """
    state = "closed"
    for at, _src, dst in _check_events(events, "events"):
        if at > t:
            break
        state = dst
    return state


def state_spans(
    events: Sequence[Mapping[str, Any]], end: float, start: float = 0.0
) -> list[tuple[float, float, str]]:
    """The breaker's history as ``(from_time, to_time, state)`` spans covering [start, end].

    Zero-length spans (two transitions at one instant, e.g. open -> half_open -> closed when a
    trial call is instant) are dropped.

    Raises:
        ValueError: malformed events, or ``end`` before ``start``.
    """
    checked = _check_events(events, "events")
    start, end = _number(start, "start"), _number(end, "end")
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    spans: list[tuple[float, float, str]] = []
    t, state = start, "closed"
    for at, _src, dst in checked:
        if at > end:
            break
        if at > t:
            spans.append((t, at, state))
            t = at
        state = dst
    if end > t:
        spans.append((t, end, state))
    return spans


def _check_calls(calls: Sequence[Mapping[str, Any]]) -> list[tuple[float, str, str | None]]:
    if isinstance(calls, str | bytes | Mapping) or not isinstance(calls, Sequence):
        raise ValueError(f"calls must be a list of dicts, got {type(calls).__name__}")
    out = []
    for i, call in enumerate(calls):
        if not isinstance(call, Mapping):
            raise ValueError(f"calls[{i}]: a call must be a dict, got {type(call).__name__}")
        if "start" not in call or "outcome" not in call:
            raise ValueError(f"calls[{i}]: needs 'start' and 'outcome' (and optionally 'route')")
        outcome = call["outcome"]
        if not isinstance(outcome, str):
            raise ValueError(f"calls[{i}].outcome: must be a string, got {outcome!r}")
        route = call.get("route")
        out.append(
            (
                _number(call["start"], f"calls[{i}].start"),
                outcome,
                None if route is None else str(route),
            )
        )
    return out


def plot_breaker_timeline(
    breakers: Mapping[str, Sequence[Mapping[str, Any]]] | Sequence[Mapping[str, Any]],
    calls: Sequence[Mapping[str, Any]] = (),
    *,
    end: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Breaker state over virtual time, one lane per breaker, every call marked by outcome.

    The background of a lane is the breaker's state (green closed, red open, amber half-open);
    on it, each call to that lane's route is a mark: a dot for ``ok``, a cross for an error, a
    grey bar for a call the breaker refused.

    Args:
        breakers: lane name -> that breaker's events, or one breaker's events (lane "breaker").
        calls: call records; a call goes on the lane named by its ``route`` (calls whose route
            has no lane go on an extra lane named after the route).
        end: right edge of the plot; default the last event or call, plus a margin.
        title: the plot title.
        ax: a matplotlib Axes to draw on; default a new figure.

    Returns:
        The Axes.

    Raises:
        ValueError: malformed events or calls (the message names the item and field).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lanes: dict[str, list[tuple[float, str, str]]] = {}
    if isinstance(breakers, Mapping):
        for name, events in breakers.items():
            lanes[str(name)] = _check_events(events, f"breakers[{name!r}]")
    else:
        lanes["breaker"] = _check_events(breakers, "events")
    checked_calls = _check_calls(calls)
    for _t, _o, route in checked_calls:
        if route is not None and route not in lanes:
            lanes[route] = []
    if not lanes:
        lanes["breaker"] = []
    last = max(
        [e[0] for evs in lanes.values() for e in evs] + [c[0] for c in checked_calls] + [0.0]
    )
    end = _number(end, "end") if end is not None else last + max(5.0, 0.03 * last)

    own_figure = ax is None
    if ax is None:
        _fig, ax = plt.subplots(figsize=(9.0, 1.5 + 0.7 * len(lanes)))
    names = list(lanes)
    for row, name in enumerate(names):
        y = len(names) - 1 - row
        events = [{"at": a, "from": s, "to": d} for a, s, d in lanes[name]]
        for t0, t1, state in state_spans(events, end):
            ax.barh(y, t1 - t0, left=t0, height=0.8, color=STATES[state], edgecolor="none")
        mine = [
            c
            for c in checked_calls
            if (c[2] or "breaker") == name or (c[2] is None and len(names) == 1)
        ]
        for outcome, marker, colour in ((_OK, "o", "#1e8449"), (_REFUSED, "|", "#7f8c8d")):
            xs = [c[0] for c in mine if c[1] == outcome]
            ax.plot(xs, [y] * len(xs), linestyle="none", marker=marker, color=colour, markersize=4)
        xs = [c[0] for c in mine if c[1] not in (_OK, _REFUSED)]
        ax.plot(xs, [y] * len(xs), linestyle="none", marker="x", color="#c0392b", markersize=5)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(list(reversed(names)))
    ax.set_xlim(0, end)
    ax.set_xlabel("virtual time (s)")
    if title:
        ax.set_title(title, fontsize=10)
    handles = [Patch(color=c, label=s.replace("_", "-")) for s, c in STATES.items()] + [
        Line2D([], [], linestyle="none", marker="o", color="#1e8449", label="call ok"),
        Line2D([], [], linestyle="none", marker="x", color="#c0392b", label="call failed"),
        Line2D([], [], linestyle="none", marker="|", color="#7f8c8d", label="refused"),
    ]
    _legend_below(ax, handles, own_figure)
    return ax


def _legend_below(ax: Axes, handles: list[Any], own_figure: bool) -> None:
    """A one-row legend under the plot (on a caller's Axes: inside it, out of the way)."""
    if not own_figure:
        ax.legend(handles=handles, fontsize=7, loc="best")
        return
    fig = _figure_of(ax)
    fig.legend(handles=handles, fontsize=7, ncol=len(handles), loc="lower center", frameon=False)
    # Leave about 0.35 inch at the bottom for the legend, whatever the figure's height.
    fig.tight_layout(rect=(0.0, min(0.4, 0.35 / fig.get_figheight()), 1.0, 1.0))


def plot_backoff(
    delays: Mapping[int, Sequence[float]], *, base: float, cap: float, ax: Axes | None = None
) -> Axes:
    """Sampled backoff delays per retry number, with the ceiling ``min(cap, base * 2**n)``.

    Args:
        delays: retry number -> delays drawn for it (e.g. one per seed).
        base: the backoff base, seconds.
        cap: the cap, seconds.
        ax: a matplotlib Axes to draw on; default a new figure.

    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    base, cap = _number(base, "base"), _number(cap, "cap")
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6.0, 3.2))
    attempts = sorted(delays)
    for n in attempts:
        ys = [_number(v, f"delays[{n}][{i}]") for i, v in enumerate(delays[n])]
        ax.plot(
            [n] * len(ys),
            ys,
            linestyle="none",
            marker="o",
            markersize=2,
            alpha=0.35,
            color="#2e86c1",
        )
    if attempts:
        ceiling = [min(cap, base * 2 ** min(n, 64)) for n in attempts]
        ax.hlines(
            ceiling,
            [n - 0.35 for n in attempts],
            [n + 0.35 for n in attempts],
            color="#c0392b",
            label="ceiling min(cap, base·2ⁿ)",
        )
        ax.legend(fontsize=8, loc="upper left")
    ax.set_xlabel("retry number n")
    ax.set_ylabel("delay (s)")
    _figure_of(ax).tight_layout()
    return ax


def _check_results(results: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    if not isinstance(results, Mapping) or not results:
        raise ValueError("drill results must be a non-empty dict: incident -> strategy -> summary")
    for incident, by_strategy in results.items():
        if not isinstance(by_strategy, Mapping) or not by_strategy:
            raise ValueError(f"results[{incident!r}]: must be a non-empty dict strategy -> summary")
        for strategy, summary in by_strategy.items():
            if not isinstance(summary, Mapping):
                raise ValueError(
                    f"results[{incident!r}][{strategy!r}]: a summary must be a dict, "
                    f"got {type(summary).__name__}"
                )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if value != 0 and abs(value) < 0.01 else f"{value:,.3f}"
    return "" if value is None else str(value)


def drill_table(
    results: Mapping[str, Mapping[str, Mapping[str, Any]]],
    metrics: Sequence[tuple[str, str]] = DRILL_METRICS,
):
    """One row per (incident, strategy) with the drill metrics, as HTML.

    Returns:
        An ``IPython.display.HTML`` object.
    """
    from IPython.display import HTML

    _check_results(results)
    head = "".join(
        f"<th style='text-align:left'>{html.escape(h)}</th>"
        for h in ["incident", "strategy", *(label for _k, label in metrics)]
    )
    rows = []
    for incident, by_strategy in results.items():
        for strategy, summary in by_strategy.items():
            cells = [incident, strategy, *(_fmt(summary.get(k)) for k, _l in metrics)]
            rows.append(
                "<tr>"
                + "".join(f"<td style='text-align:left'>{html.escape(str(c))}</td>" for c in cells)
                + "</tr>"
            )
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def plot_drill_comparison(
    results: Mapping[str, Mapping[str, Mapping[str, Any]]],
    metrics: Sequence[tuple[str, str]] = DRILL_METRICS,
) -> Figure:
    """Side-by-side bars: for each metric a panel, for each incident a group, a bar per strategy.

    Args:
        results: incident -> strategy -> summary (metric -> number). A missing or
            non-numeric value draws no bar.
        metrics: ``(key, label)`` pairs, one panel each.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        ValueError: ``results`` is empty or malformed, or ``metrics`` is empty.
    """
    import matplotlib.pyplot as plt

    _check_results(results)
    if not metrics:
        raise ValueError("plot_drill_comparison: no metrics to draw")
    incidents = list(results)
    strategies: list[str] = []
    for by_strategy in results.values():
        strategies.extend(s for s in by_strategy if s not in strategies)
    width = 0.8 / len(strategies)
    colours = ["#7f8c8d", "#6c5ce7", "#16a085", "#e67e22", "#2e86c1"]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 3.5), squeeze=False)
    for ax, (key, label) in zip(axes[0], metrics, strict=True):
        for j, strategy in enumerate(strategies):
            xs, ys = [], []
            for i, incident in enumerate(incidents):
                value = results[incident].get(strategy, {}).get(key)
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and math.isfinite(value)
                ):
                    xs.append(i + (j - (len(strategies) - 1) / 2) * width)
                    ys.append(float(value))
            ax.bar(xs, ys, width=width, label=strategy, color=colours[j % len(colours)])
        ax.set_xticks(range(len(incidents)))
        ax.set_xticklabels(incidents, rotation=25, fontsize=8, ha="right")
        ax.set_title(label, fontsize=10)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, ncol=len(strategies), loc="lower center", frameon=False)
    fig.tight_layout(rect=(0.0, 0.08, 1.0, 1.0))
    return fig


def drill_explorer(runs: Mapping[str, Mapping[str, Any]]):
    """A dropdown over drill runs that redraws the breaker timeline of the chosen run.

    Args:
        runs: label -> ``{"breakers": {lane: events}, "calls": [call records], "end": s}``.

    Returns:
        An ``ipywidgets.VBox`` (display it in a notebook). Outside a notebook it still builds;
        the plot appears when the widget is shown.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("drill_explorer needs a non-empty dict: label -> run")
    for label, run in runs.items():
        if not isinstance(run, Mapping) or "breakers" not in run or "calls" not in run:
            raise ValueError(
                f"runs[{label!r}]: needs 'breakers' and 'calls' (and optionally 'end')"
            )
    choice = widgets.Dropdown(options=list(runs), description="run")
    out = widgets.Output()

    def draw(_change: Any = None) -> None:
        run = runs[choice.value]
        with out:
            out.clear_output(wait=True)
            ax = plot_breaker_timeline(
                run["breakers"], run["calls"], end=run.get("end"), title=choice.value
            )
            display(_figure_of(ax))
            plt.close(_figure_of(ax))

    choice.observe(draw, names="value")
    draw()
    return widgets.VBox([choice, out])
