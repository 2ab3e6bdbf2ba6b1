"""Small LangGraph agents the tracing tests run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition


def tool_agent(agent: Callable[[MessagesState], dict[str, Any]], tools: Sequence[Any]) -> Any:
    """``agent`` -> ``tools`` (a ToolNode) -> ``agent``, until the agent calls no tool."""
    g = StateGraph(MessagesState)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode(list(tools)))
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", tools_condition)
    g.add_edge("tools", "agent")
    return g.compile()
