"""Spans from a LangGraph run on the simulator reach a real Phoenix server (127.0.0.1 only)."""

from __future__ import annotations

import secrets

import pytest
from langchain_core.messages import HumanMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from servers import spans_in_phoenix

from infralab.clock import VirtualClock, use_clock
from infralab.llm import SimChatModel
from infralab.tracing import setup_tracing

pytestmark = [pytest.mark.slow, pytest.mark.phoenix]


def test_langgraph_spans_arrive_in_phoenix_with_model_and_tokens(phoenix_url, monkeypatch):
    monkeypatch.delenv("PHOENIX_COLLECTOR_ENDPOINT", raising=False)
    project = f"test-{secrets.token_hex(4)}"
    model = SimChatModel(profile="sim-small@2026-11", seed=3)

    def assistant(state):
        return {"messages": [model.invoke(state["messages"])]}

    g = StateGraph(MessagesState)
    g.add_node("assistant", assistant)
    g.add_edge(START, "assistant")
    g.add_edge("assistant", END)
    graph = g.compile()

    tracing = setup_tracing(project, endpoint=phoenix_url)
    try:
        tracing.clear()
        with use_clock(VirtualClock()):
            graph.invoke({"messages": [HumanMessage("What are your opening hours?")]})
        local = {s["name"]: s for s in tracing.span_rows()}
        assert tracing.flush(timeout_s=30)
    finally:
        tracing.shutdown()

    stored = spans_in_phoenix(phoenix_url, project, want=len(local))
    assert sorted(s["name"] for s in stored) == sorted(local), stored
    llm = [s for s in stored if s["span_kind"] == "LLM"]
    assert len(llm) == 1
    attrs = llm[0]["attributes"]
    expected = local["SimChatModel"]
    assert attrs["llm.model_name"] == "sim-small@2026-11"
    assert attrs["gen_ai.request.model"] == "sim-small@2026-11"
    assert attrs["gen_ai.system"] == "infralab-sim"
    assert attrs["gen_ai.usage.input_tokens"] == expected["input_tokens"] > 0
    assert attrs["gen_ai.usage.output_tokens"] == expected["output_tokens"] > 0
    assert attrs["llm.token_count.prompt"] == expected["input_tokens"]
    assert (
        attrs["llm.cost.total"] == pytest.approx(expected["cost_usd"]) and expected["cost_usd"] > 0
    )
    assert attrs["infralab.clock"] == "virtual"
    # The tree survives the id salting: the LLM span's parent is the graph node's span.
    by_id = {s["context"]["span_id"]: s for s in stored}
    assert by_id[llm[0]["parent_id"]]["name"] == "assistant"
