"""Views for lab ``b3-safety``: the safety scorecard as a table and as a trade-off plot.

A *scorecard* is what the lab's ``scorecard(runs)`` returns: metric name ->
``{"rate", "low", "high", "n"}`` (``None`` rates when ``n == 0``); ``cards`` maps a version
label to its scorecard. IPython and matplotlib are imported when a view is called. Nothing
here uses the network.

Example:
    >>> from infralab.widgets.safety import cell_text
    >>> cell_text({"rate": 0.25, "low": 0.046, "high": 0.699, "n": 4})
    '0.25 [0.05, 0.70] n=4'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infralab.widgets.evals import suite_table

__all__ = ["cell_text", "scorecard_table", "plot_tradeoff"]


def cell_text(metric: Mapping[str, Any]) -> str:
    """One metric as ``rate [low, high] n=N``; ``n/a`` when it had no runs."""
    if not metric.get("n"):
        return "n/a (n=0)"
    return f"{metric['rate']:.2f} [{metric['low']:.2f}, {metric['high']:.2f}] n={metric['n']}"


def scorecard_table(cards: Mapping[str, Mapping[str, Mapping[str, Any]]]):
    """The scorecards as an HTML table: one row per version, one column per metric."""
    return suite_table(
        {
            str(version): {name: cell_text(m) for name, m in card.items()}
            for version, card in cards.items()
        }
    )


def plot_tradeoff(cards: Mapping[str, Mapping[str, Mapping[str, Any]]], *, ax: Any = None):
    """Utility (y) against attack success rate (x) per version, with Wilson error bars.

    Versions without attacked or clean runs are left out. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    for version, card in cards.items():
        asr, util = card["attack_success"], card["utility"]
        if not asr.get("n") or not util.get("n"):
            continue
        ax.errorbar(
            asr["rate"],
            util["rate"],
            xerr=[[asr["rate"] - asr["low"]], [asr["high"] - asr["rate"]]],
            yerr=[[util["rate"] - util["low"]], [util["high"] - util["rate"]]],
            fmt="o",
            capsize=3,
            label=str(version),
        )
    ax.set_xlabel("attack success rate (lower is better)")
    ax.set_ylabel("utility without attack (higher is better)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower left")
    ax.set_title("Safety against utility, per version")
    return fig
