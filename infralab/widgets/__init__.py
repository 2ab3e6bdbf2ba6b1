"""Views the labs show: a LangGraph drawing, a span table, a span timeline.

Light on purpose: importing ``infralab.widgets`` loads nothing heavy; each view imports what it
needs (matplotlib, IPython) when called. Nothing here downloads anything: graphs are drawn as
Mermaid text that JupyterLab 4 renders itself (never ``draw_mermaid_png``, which calls the
mermaid.ink web service). Lab-specific views live in their own modules
(``infralab.widgets.<name>``) and are imported from there.

Introduced in lab ``00-orientation``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["show_graph", "show_spans", "plot_timeline"]


def show_graph(graph: Any) -> None:
    """Draw a LangGraph graph, offline.

    In JupyterLab the drawing is a Mermaid diagram (rendered by JupyterLab itself); anywhere
    else, and as the plain-text form, a list of the graph's edges.

    Args:
        graph: a compiled LangGraph graph (anything with ``get_graph()``), or a
            ``langchain_core.runnables.graph.Graph``.
    """
    from infralab.widgets._graph import draw

    _show(draw(graph))


def show_spans(tracing_or_rows: Any, *, max_rows: int = 200) -> None:
    """Show spans as a compact table: tree, kind, virtual start, duration, model, tokens, cost.

    Args:
        tracing_or_rows: a :class:`infralab.tracing.Tracing`, or the list of dicts its
            ``span_rows()`` returns.
        max_rows: show at most this many rows (the totals line still counts them all).
    """
    from infralab.widgets._spans import SpanTable

    _show(SpanTable(tracing_or_rows, max_rows=max_rows))


def plot_timeline(tracing_or_rows: Any, *, ax: Axes | None = None) -> Axes:
    """Plot spans as bars on the virtual clock (one row per span, children under parents).

    Args:
        tracing_or_rows: a :class:`infralab.tracing.Tracing` or its ``span_rows()``.
        ax: a matplotlib Axes to draw on; default a new figure.

    Returns:
        The Axes (in a notebook the figure shows below the cell).
    """
    from infralab.widgets._spans import plot_timeline as _plot

    return _plot(tracing_or_rows, ax=ax)


def _show(view: Any) -> None:
    """Display ``view`` in IPython (its rich forms), else print its text form."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the lab extra
        get_ipython = None  # type: ignore[assignment]
    if get_ipython is not None and get_ipython() is not None:
        from IPython.display import display

        display(view)
    else:
        print(view)
