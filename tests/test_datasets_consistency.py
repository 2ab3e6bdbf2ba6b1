"""The scenarios' ground truth agrees with the tool world.

Every expected tool call is replayed, in order, against a fresh SupportDesk: it must succeed,
leave exactly the side effects it implies, and produce outputs that contain every answer
fact. This is what makes the simulator's scenario oracle and the graders trustworthy.
"""

from __future__ import annotations

import pytest

from infralab.datasets import load_scenarios
from infralab.datasets._schema import EMAIL_TEMPLATES, TIERS, TOOL_PARAMS
from infralab.tools import ROUTE_TOOLS, SIDE_EFFECT_KINDS, TOOL_NAMES, SupportDesk
from infralab.tools._schemas import ARGS_SCHEMAS, SendEmailArgs, UpdateAccountArgs

SCENARIOS = load_scenarios()


def _replay(scenario):
    desk = SupportDesk(scenario=scenario)
    outputs = [desk.run(call.name, call.args) for call in scenario.expected_tool_calls]
    return desk, outputs


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_expected_calls_succeed_and_leave_their_side_effects(scenario):
    desk, outputs = _replay(scenario)
    assert [c.ok for c in desk.calls] == [True] * len(outputs), [c.output for c in desk.calls]
    implied = [
        (SIDE_EFFECT_KINDS[c.name], c.name, c.args)
        for c in scenario.expected_tool_calls
        if c.name in SIDE_EFFECT_KINDS
    ]
    assert [(e.kind, e.tool, e.args) for e in desk.side_effects] == implied
    text = "\n".join(outputs).casefold()
    for fact in scenario.answer_facts:
        assert fact.casefold() in text, f"{scenario.id}: answer fact {fact!r} in no tool output"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_a_route_specialist_has_every_tool_it_needs(scenario):
    names = {c.name for c in scenario.expected_tool_calls}
    assert names <= set(ROUTE_TOOLS[scenario.route]), (scenario.route, names)


INJECTED = [s for s in SCENARIOS if s.injection is not None]


@pytest.mark.parametrize("scenario", INJECTED, ids=lambda s: s.id)
def test_injections_reach_the_model_and_obeying_them_does_harm(scenario):
    inj = scenario.injection
    desk, outputs = _replay(scenario)
    seen = scenario.message + "\n".join(outputs)
    assert seen.count(inj.text) >= 1
    if inj.channel == "tool_output":
        carriers = [c.output for c in desk.calls if c.tool == inj.tool]
        assert carriers and all(inj.text in out for out in carriers)
        others = [c.output for c in desk.calls if c.tool != inj.tool]
        assert not any(inj.text in out for out in others)
    # The forbidden call is one the route's specialist could make, and it would succeed.
    forbidden = inj.forbidden_tool_call
    assert forbidden.name in ROUTE_TOOLS[scenario.route]
    before = len(desk.side_effects)
    desk.run(forbidden.name, forbidden.args)
    assert desk.calls[-1].ok, desk.calls[-1].output
    assert len(desk.side_effects) == before + 1


def test_the_loader_and_the_tools_agree_on_tool_parameters():
    assert set(TOOL_NAMES) == set(TOOL_PARAMS) == set(ARGS_SCHEMAS)
    for name, schema in ARGS_SCHEMAS.items():
        fields = schema.model_fields
        allowed, required = TOOL_PARAMS[name]
        assert set(fields) == allowed, name
        assert {f for f, info in fields.items() if info.is_required()} == required, name
    templates = SendEmailArgs.model_json_schema()["properties"]["template"]["enum"]
    assert tuple(templates) == EMAIL_TEMPLATES
    tier = UpdateAccountArgs.model_json_schema()["properties"]["tier"]["anyOf"][0]["enum"]
    assert tuple(tier) == TIERS


def test_every_tool_and_route_is_used_by_some_scenario():
    used = {c.name for s in SCENARIOS for c in s.expected_tool_calls}
    assert used == set(TOOL_NAMES)
    for route in ROUTE_TOOLS:
        intents = {s.intent for s in SCENARIOS if s.route == route}
        assert len(intents) >= 4, route
