"""The simulator's per-call memos never change what it answers.

Issue 10's performance work keeps a frozen scenario's ground truth, the oracle's draws and a
binding's router analysis across calls. A memo that leaked between scenarios or bindings, or
answered differently from a fresh reading, would change outputs; these tests compare with
duck-typed scenarios (plain namespaces, never memoized) and with changed copies.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace as NS
from typing import Literal

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from infralab.clock import VirtualClock, use_clock
from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel
from infralab.tools import SupportDesk


def _plain(scenario):
    """The same scenario as a plain namespace (read afresh on every call)."""
    return NS(**{f.name: getattr(scenario, f.name) for f in dataclasses.fields(scenario)})


def _finder(*scenarios):
    by_text = {s.message: s for s in scenarios}
    return lambda text: by_text.get(text)


def _run(scenario, seed, profile="sim-small@2026-11", world=None):
    """A tool loop on the oracle: the messages it produced (content and tool calls).

    ``world``: the Scenario the desk plays (default ``scenario``; a desk needs a real one)."""
    model = SimChatModel(profile=profile, seed=seed, oracle=_finder(scenario))
    desk = SupportDesk(scenario=world or scenario)
    tools = {t.name: t for t in desk.tools()}
    bound = model.bind_tools(list(tools.values()))
    history = [HumanMessage(scenario.message)]
    out = []
    with use_clock(VirtualClock()):
        for _ in range(6):
            ai = bound.invoke(history)
            history.append(ai)
            out.append((ai.content, [(c["name"], c["args"], c["id"]) for c in ai.tool_calls]))
            if not ai.tool_calls:
                break
            for c in ai.tool_calls:
                if c["name"] in tools:
                    history.append(tools[c["name"]].invoke({**c, "type": "tool_call"}))
                else:
                    history.append(
                        ToolMessage("no such tool", tool_call_id=c["id"], status="error")
                    )
    return out


def test_memoized_scenarios_answer_as_fresh_ones():
    scenarios = [s for s in load_scenarios() if s.expected_tool_calls][:12]
    for seed in (0, 1, 2):
        for s in scenarios:
            assert _run(s, seed) == _run(_plain(s), seed, world=s), s.id


def test_a_changed_copy_of_a_scenario_is_read_afresh():
    s = next(x for x in load_scenarios() if x.answer_facts and x.expected_tool_calls)
    first = _run(s, 0, profile="sim-large@2026-11")
    changed = dataclasses.replace(s, answer_facts=("a fact nobody else has",))
    second = _run(changed, 0, profile="sim-large@2026-11")
    assert "a fact nobody else has" in second[-1][0]
    assert "a fact nobody else has" not in first[-1][0]
    assert _run(s, 0, profile="sim-large@2026-11") == first


class RouteA(BaseModel):
    """Pick a team."""

    route: Literal["billing", "shipping", "technical", "account"]


class Note(BaseModel):
    """Write a note."""

    text: str


def test_router_analysis_follows_the_binding():
    s = next(x for x in load_scenarios() if x.route == "billing" and not x.ambiguous)
    model = SimChatModel(profile="sim-large@2026-11", oracle=_finder(s))
    prompt = [HumanMessage(s.message)]
    with use_clock(VirtualClock()):
        routed = model.bind_tools([RouteA, Note]).invoke(prompt)
        noted = model.bind_tools([Note]).invoke(prompt)
        again = model.bind_tools([RouteA, Note]).invoke(prompt)
    assert [c["name"] for c in routed.tool_calls] == ["RouteA"]
    assert [c["name"] for c in noted.tool_calls] != ["RouteA"]
    assert again.tool_calls == routed.tool_calls
    assert isinstance(routed, AIMessage)
