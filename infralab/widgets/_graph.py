"""Offline drawing of a LangGraph graph: Mermaid for JupyterLab, text for everything else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["GraphDrawing", "draw"]

_START, _END = "__start__", "__end__"


@dataclass(frozen=True)
class GraphDrawing:
    """A graph drawn two ways. In a notebook it renders as a Mermaid diagram.

    Attributes:
        mermaid: Mermaid source (``Graph.draw_mermaid()``), rendered by JupyterLab 4 itself.
        text: the same graph as a list of edges, for terminals and logs.
    """

    mermaid: str
    text: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # JupyterLab 4 renders text/vnd.mermaid and ```mermaid blocks in Markdown with its
        # bundled Mermaid: no network. Other front ends fall back to the text.
        return {
            "text/vnd.mermaid": self.mermaid,
            "text/markdown": f"```mermaid\n{self.mermaid.strip()}\n```",
            "text/plain": self.text,
        }

    def __str__(self) -> str:
        return self.text


def _as_graph(graph: Any) -> Any:
    get_graph = getattr(graph, "get_graph", None)
    if callable(get_graph):
        return get_graph()
    if hasattr(graph, "nodes") and hasattr(graph, "edges") and hasattr(graph, "draw_mermaid"):
        return graph
    raise TypeError(
        "show_graph needs a compiled LangGraph graph (StateGraph(...).compile()) or a "
        f"langchain_core Graph, got {type(graph).__name__}"
        + (" (call .compile() first)" if type(graph).__name__ == "StateGraph" else "")
    )


def _label(node_id: str) -> str:
    return {_START: "START", _END: "END"}.get(node_id, node_id)


def to_text(graph: Any) -> str:
    """The graph's edges, one a line, ``-->`` plain and ``-.->`` conditional."""
    g = _as_graph(graph)
    nodes = [n for n in g.nodes if n not in (_START, _END)]
    lines = [f"graph: {len(nodes)} nodes ({', '.join(nodes)})"]
    for edge in g.edges:
        arrow = "-.->" if edge.conditional else "-->"
        label = f"  [{edge.data}]" if edge.data is not None else ""
        lines.append(f"  {_label(edge.source)} {arrow} {_label(edge.target)}{label}")
    return "\n".join(lines)


def draw(graph: Any) -> GraphDrawing:
    """Draw ``graph`` (compiled LangGraph graph or langchain_core Graph) without a network."""
    g = _as_graph(graph)
    return GraphDrawing(mermaid=g.draw_mermaid(), text=to_text(g))
