"""Parallel tool calls: several independent calls in one turn, run by real LangGraph graphs."""

from __future__ import annotations

import dataclasses
import json

import pytest
from behaviour_stats import call, finder, measure, scenario
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from infralab.llm import SimChatModel, get_profile

PARALLEL = dataclasses.replace(
    get_profile("sim-large@2026-11"),
    name="sim-parallel",
    parallel_tool_calls=True,
    hallucinated_tool_rate=0.0,
    invalid_args_rate=0.0,
    refusal_rate=0.0,
)

ORDERS = {
    "O1001": {"order_id": "O1001", "status": "shipped", "tracking_number": "1Z999"},
    "O1002": {"order_id": "O1002", "status": "processing", "tracking_number": None},
}


@tool
def lookup_order(order_id: str) -> str:
    """Look up an order by id."""
    return json.dumps(ORDERS.get(order_id, {"error": "no such order"}))


@tool
def get_customer(email: str) -> str:
    """Find a customer by e-mail."""
    return json.dumps({"customer_id": "C0042", "email": email})


@tool
def track_shipment(tracking_number: str) -> str:
    """Track a shipment."""
    return f"{tracking_number}: delivered 2026-03-02"


TOOLS = [lookup_order, get_customer, track_shipment]


def two_orders(sid="par-1"):
    """Two lookups whose arguments are both in the message: independent."""
    return scenario(
        sid=sid,
        message=f"What is the status of my orders O1001 and O1002? ({sid})",
        expected_tool_calls=[
            call("lookup_order", order_id="O1001"),
            call("lookup_order", order_id="O1002"),
        ],
        answer_facts=["shipped", "processing"],
    )


def mixed(sid="mix-1"):
    """Two independent lookups, then a call that needs the first lookup's tracking number."""
    return scenario(
        sid=sid,
        message=f"I'm ann@example.com: where is O1001? ({sid})",
        expected_tool_calls=[
            call("get_customer", email="ann@example.com"),
            call("lookup_order", order_id="O1001"),
            call("track_shipment", tracking_number="1Z999"),
        ],
        answer_facts=["1Z999", "2026-03-02"],
    )


def first_turn(model, sc, **bind):
    return model.bind_tools(TOOLS, **bind).invoke([HumanMessage(sc.message)])


def test_catalog_profiles_call_one_tool_per_turn():
    """Do the catalog's profiles keep one call per turn (today's labs are built on it)?"""
    sc = two_orders()
    for p in ("sim-small@2026-06", "sim-small@2026-11", "sim-large@2026-06", "sim-large@2026-11"):
        assert not get_profile(p).parallel_tool_calls
        reply = first_turn(SimChatModel(profile=p, oracle=finder(sc)), sc)
        assert len(reply.tool_calls) <= 1


def test_independent_calls_come_in_one_turn():
    """With parallel calls on, are both lookups in one AIMessage, with distinct ids?"""
    sc = two_orders()
    reply = first_turn(SimChatModel(profile=PARALLEL, oracle=finder(sc)), sc)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("lookup_order", {"order_id": "O1001"}),
        ("lookup_order", {"order_id": "O1002"}),
    ]
    assert len({c["id"] for c in reply.tool_calls}) == 2
    assert reply.response_metadata["finish_reason"] == "tool_calls"


def test_a_dependent_call_waits_for_the_result_it_needs():
    """Does track_shipment wait for the tracking number that lookup_order returns?"""
    sc = mixed()
    model = SimChatModel(profile=PARALLEL, oracle=finder(sc)).bind_tools(TOOLS)
    history = [HumanMessage(sc.message)]
    first = model.invoke(history)
    assert [c["name"] for c in first.tool_calls] == ["get_customer", "lookup_order"]
    history.append(first)
    for c in first.tool_calls:
        out = {t.name: t for t in TOOLS}[c["name"]].invoke(c["args"])
        history.append(ToolMessage(out, tool_call_id=c["id"]))
    second = model.invoke(history)
    assert [(c["name"], c["args"]) for c in second.tool_calls] == [
        ("track_shipment", {"tracking_number": "1Z999"})
    ]


def test_the_request_flag_overrides_the_profile():
    """Does bind_tools(parallel_tool_calls=...) turn parallel calls on and off per request?"""
    sc = two_orders()
    on = SimChatModel(profile="sim-large@2026-06", oracle=finder(sc), seed=1)
    assert len(first_turn(on, sc, parallel_tool_calls=True).tool_calls) == 2
    off = SimChatModel(profile=PARALLEL, oracle=finder(sc))
    assert len(first_turn(off, sc, parallel_tool_calls=False).tool_calls) == 1


def test_a_forced_tool_is_one_call():
    """Does tool_choice naming a tool still give exactly that one call?"""
    sc = two_orders()
    reply = first_turn(
        SimChatModel(profile=PARALLEL, oracle=finder(sc)), sc, tool_choice="lookup_order"
    )
    assert len(reply.tool_calls) == 1


def test_each_extra_call_draws_its_own_errors():
    """Over 4,000 seeds, is the second call of a batch hallucinated at the profile's rate,
    independently of the first?"""
    sloppy = dataclasses.replace(PARALLEL, hallucinated_tool_rate=0.3)
    sc = two_orders()
    find = finder(sc)
    names = {"lookup_order", "get_customer", "track_shipment"}

    def second_fake(i):
        reply = first_turn(SimChatModel(profile=sloppy, seed=i, oracle=find), sc)
        return reply.tool_calls[1]["name"] not in names

    def both_fake(i):
        reply = first_turn(SimChatModel(profile=sloppy, seed=i, oracle=find), sc)
        return all(c["name"] not in names for c in reply.tool_calls)

    assert measure(4000, second_fake).consistent_with(0.3)
    assert measure(4000, both_fake).consistent_with(0.3 * 0.3)


def _langgraph_agent(model):
    from langgraph.graph import END, START, MessagesState, StateGraph
    from langgraph.prebuilt import ToolNode, tools_condition

    bound = model.bind_tools(TOOLS)
    graph = StateGraph(MessagesState)
    graph.add_node("agent", lambda state: {"messages": [bound.invoke(state["messages"])]})
    graph.add_node("tools", ToolNode(TOOLS))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "agent")
    return graph.compile()


def _run(agent, sc):
    out = agent.invoke({"messages": [HumanMessage(sc.message)]})
    messages = out["messages"]
    ai = [m for m in messages if isinstance(m, AIMessage)]
    results = [m for m in messages if isinstance(m, ToolMessage)]
    return ai, results


@pytest.mark.parametrize("kind", ["tool_node", "create_agent"])
@pytest.mark.parametrize("parallel", [False, True])
def test_real_graphs_run_parallel_calls(kind, parallel):
    """In a LangGraph ToolNode loop and in create_agent, are both calls of a turn executed,
    answered with their ids, and the scenario finished in one model call fewer?"""
    from langchain.agents import create_agent

    sc = mixed(f"graph-{kind}")
    profile = dataclasses.replace(PARALLEL, parallel_tool_calls=parallel)
    model = SimChatModel(profile=profile, oracle=finder(sc))
    agent = _langgraph_agent(model) if kind == "tool_node" else create_agent(model, TOOLS)
    ai, results = _run(agent, sc)
    # every call issued got exactly one result, matched by id
    issued = [c["id"] for m in ai for c in m.tool_calls]
    assert sorted(issued) == sorted(r.tool_call_id for r in results)
    assert [r.status for r in results] == ["success"] * 3
    assert "1Z999" in ai[-1].content and "2026-03-02" in ai[-1].content
    assert [len(m.tool_calls) for m in ai] == ([2, 1, 0] if parallel else [1, 1, 1, 0])


def test_parallel_calls_through_the_trusted_environment():
    """Does a request's parallel_tool_calls reach the environment's model, and are both
    calls logged as issued by it?"""
    from infralab.grading import Environment
    from infralab.llm import SimChatModel as _Sim

    sc = two_orders("env-par")
    env = Environment()
    handle = env.model("sim-large@2026-11")
    handle.model = _Sim(profile="sim-large@2026-11", oracle=finder(sc))  # in-test scenario
    proxy = eval(repr(handle))
    reply = proxy.bind_tools(TOOLS, parallel_tool_calls=True).invoke([HumanMessage(sc.message)])
    assert [c["args"]["order_id"] for c in reply.tool_calls] == ["O1001", "O1002"]
    assert handle.log[-1]["tool_calls"] == ["lookup_order", "lookup_order"]
