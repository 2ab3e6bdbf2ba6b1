"""The simulated support desk: business rules, logs, isolation, injection, LangGraph use."""

from __future__ import annotations

import asyncio
import json

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import StructuredTool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from infralab.clock import VirtualClock, use_clock
from infralab.datasets import load_scenarios, load_world
from infralab.tools import ROUTE_TOOLS, TOOL_NAMES, CallRecord, SideEffect, SupportDesk

WORLD = load_world()


def _order(**match):
    for o in WORLD["orders"]:
        if all((o[k] == v if not callable(v) else v(o[k])) for k, v in match.items()):
            return o
    raise LookupError(match)


def _call(tool: str, args: dict, call_id: str = "call-1") -> ToolMessage:
    desk_tool = _DESK.tools([tool])[0]
    return desk_tool.invoke({"type": "tool_call", "name": tool, "args": args, "id": call_id})


_DESK = SupportDesk()


@pytest.fixture
def desk() -> SupportDesk:
    return SupportDesk()


def _error(desk: SupportDesk, tool: str, args: dict) -> str:
    out = desk.run(tool, args)
    assert out.startswith("Error: "), out
    assert desk.calls[-1] == CallRecord(tool, desk.calls[-1].args, False, out, desk.calls[-1].t)
    return out


# --------------------------------------------------------------------------- tool set


def test_tools_are_structured_tools_with_pydantic_schemas(desk):
    tools = desk.tools()
    assert [t.name for t in tools] == list(TOOL_NAMES)
    assert len(TOOL_NAMES) >= 8
    for t in tools:
        assert isinstance(t, StructuredTool)
        assert len(t.description) > 40
        assert t.args_schema.model_json_schema()["type"] == "object"
    assert desk.tools()[0] is desk.tools()[0]  # built once per desk


def test_tools_by_name_and_route(desk):
    assert [t.name for t in desk.tools(["search_kb", "lookup_order"])] == [
        "search_kb",
        "lookup_order",
    ]
    for route, names in ROUTE_TOOLS.items():
        assert [t.name for t in desk.tools_for(route)] == list(names)
    with pytest.raises(ValueError, match="unknown tool.*refund_everything"):
        desk.tools(["refund_everything"])
    with pytest.raises(ValueError, match="route must be one of"):
        desk.tools_for("sales")


def test_money_moving_tools_stay_off_the_technical_and_account_routes():
    for route in ("technical", "account"):
        assert not {"refund_order", "cancel_order"} & set(ROUTE_TOOLS[route])
    for route in ("billing", "shipping"):
        assert "update_account" not in ROUTE_TOOLS[route]


# --------------------------------------------------------------------------- business rules


def test_refund_within_paid_then_refuse_more(desk):
    o = _order(status="delivered", charges=lambda c: len(c) == 1, refunded=0.0)
    total = o["total"]
    out = json.loads(desk.run("refund_order", {"order_id": o["id"], "amount": total}))
    assert out["refunded_now"] == f"{total:.2f}" and out["refundable"] == "0.00"
    err = _error(desk, "refund_order", {"order_id": o["id"], "amount": 1})
    assert err == f"Error: order {o['id']} has already been refunded in full ({total:.2f})"
    assert [e.kind for e in desk.side_effects] == ["refund"]


def test_partial_refunds_add_up_and_cannot_exceed_what_was_paid(desk):
    o = _order(status="delivered", charges=lambda c: len(c) == 1, total=lambda t: t > 20)
    desk.run("refund_order", {"order_id": o["id"], "amount": 10})
    rest = round(o["total"] - 10, 2)
    err = _error(desk, "refund_order", {"order_id": o["id"], "amount": rest + 0.01})
    assert f"exceeds the {rest:.2f} still refundable" in err
    assert "already refunded 10.00" in err
    desk.run("refund_order", {"order_id": o["id"], "amount": rest})
    assert desk.calls[-1].ok
    assert json.loads(desk.run("lookup_order", {"order_id": o["id"]}))["refundable"] == "0.00"


def test_double_charged_order_can_be_refunded_up_to_both_charges(desk):
    o = _order(charges=lambda c: len(c) == 2)
    looked = json.loads(desk.run("lookup_order", {"order_id": o["id"]}))
    assert len(looked["charges"]) == 2
    assert looked["paid"] == f"{2 * o['total']:.2f}"
    desk.run("refund_order", {"order_id": o["id"], "amount": o["total"]})
    desk.run("refund_order", {"order_id": o["id"], "amount": o["total"]})
    assert [c.ok for c in desk.calls[1:]] == [True, True]
    _error(desk, "refund_order", {"order_id": o["id"], "amount": 0.01})


def test_refund_of_a_returned_order_is_refused_as_already_refunded(desk):
    o = _order(status="returned")
    err = _error(desk, "refund_order", {"order_id": o["id"], "amount": o["total"]})
    assert "already been refunded in full" in err
    assert desk.side_effects == []


def test_unknown_order_and_customer(desk):
    assert (
        _error(desk, "lookup_order", {"order_id": "O99999"}) == "Error: no order with id 'O99999'"
    )
    assert "no order" in _error(desk, "refund_order", {"order_id": "O99999", "amount": 5})
    assert "no customer with id 'C9999'" in _error(desk, "get_customer", {"customer_id": "C9999"})
    assert "no customer with e-mail" in _error(desk, "get_customer", {"email": "a@b.example"})
    assert "no shipment" in _error(desk, "track_shipment", {"tracking_number": "NOPE123456"})


def test_refund_amount_precision(desk):
    o = _order(status="delivered", charges=lambda c: len(c) == 1)
    assert "more than two decimals" in _error(
        desk, "refund_order", {"order_id": o["id"], "amount": 1.234}
    )
    assert "less than 0.01" in _error(desk, "refund_order", {"order_id": o["id"], "amount": 1e-9})


def test_processing_orders_are_cancelled_not_refunded(desk):
    o = _order(status="processing")
    assert "cancel it with cancel_order" in _error(
        desk, "refund_order", {"order_id": o["id"], "amount": o["total"]}
    )
    out = json.loads(desk.run("cancel_order", {"order_id": o["id"]}))
    assert out["status"] == "cancelled" and out["refunded"] == f"{o['total']:.2f}"
    assert json.loads(desk.run("lookup_order", {"order_id": o["id"]}))["status"] == "cancelled"
    assert "already cancelled" in _error(desk, "cancel_order", {"order_id": o["id"]})
    assert "already been refunded" in _error(
        desk, "refund_order", {"order_id": o["id"], "amount": 1}
    )
    assert [e.kind for e in desk.side_effects] == ["cancel"]


def test_shipped_orders_cannot_be_cancelled(desk):
    o = _order(status="shipped")
    err = _error(desk, "cancel_order", {"order_id": o["id"]})
    assert "has status shipped and can no longer be cancelled" in err


def test_emails_go_to_the_address_on_file_and_only_about_own_orders(desk):
    o = _order(status="delivered")
    other = _order(status="delivered", customer_id=lambda c: c != o["customer_id"])
    cust = o["customer_id"]
    out = json.loads(
        desk.run("send_email", {"customer_id": cust, "template": "invoice", "order_id": o["id"]})
    )
    email = next(c["email"] for c in WORLD["customers"] if c["id"] == cust)
    assert out["to"] == email and o["id"] in out["subject"]
    assert "does not belong to customer" in _error(
        desk, "send_email", {"customer_id": cust, "template": "invoice", "order_id": other["id"]}
    )
    assert "needs an order_id" in _error(
        desk, "send_email", {"customer_id": cust, "template": "return_label"}
    )
    shipped = _order(status="shipped")
    assert "only delivered orders can be returned" in _error(
        desk,
        "send_email",
        {
            "customer_id": shipped["customer_id"],
            "template": "return_label",
            "order_id": shipped["id"],
        },
    )
    assert [e.kind for e in desk.side_effects] == ["email"]


def test_update_account_changes_state_and_guards_emails(desk):
    a, b = WORLD["customers"][0], WORLD["customers"][1]
    assert "already used by another account" in _error(
        desk, "update_account", {"customer_id": a["id"], "email": b["email"].upper()}
    )
    out = json.loads(
        desk.run(
            "update_account",
            {"customer_id": a["id"], "email": "new.address@example.com", "tier": "business"},
        )
    )
    assert out["updated"] == {"email": "new.address@example.com", "tier": "business"}
    assert f"Plan changed from {a['tier']} to business" in out["message"]
    after = json.loads(desk.run("get_customer", {"email": "NEW.address@example.com"}))
    assert after["customer_id"] == a["id"] and after["tier"] == "business"
    assert "no customer" in _error(desk, "get_customer", {"email": a["email"]})
    # e-mails now go to the new address
    sent = json.loads(
        desk.run("send_email", {"customer_id": a["id"], "template": "password_reset"})
    )
    assert sent["to"] == "new.address@example.com"


def test_api_key_rotation_is_deterministic_and_changes_the_key():
    cust = WORLD["customers"][5]
    keys = []
    for _ in range(2):
        desk = SupportDesk()
        out = json.loads(
            desk.run("update_account", {"customer_id": cust["id"], "rotate_api_key": True})
        )
        keys.append(out["updated"]["api_key_last4"])
        assert "rotated" in out["message"]
    assert keys[0] == keys[1] != cust["api_key_last4"]


def test_search_kb_ranks_the_matching_article_first(desk):
    out = json.loads(desk.run("search_kb", {"query": "API error 429"}))
    assert out["results"][0]["title"] == "API error 429 Too Many Requests"
    assert len(out["results"]) <= 3
    none = json.loads(desk.run("search_kb", {"query": "zebra xylophone"}))
    assert none["results"] == [] and "No article" in none["message"]
    assert desk.calls[-1].ok  # finding nothing is an answer, not an error


def test_track_shipment_reports_status(desk):
    shipped = _order(status="shipped")
    out = json.loads(desk.run("track_shipment", {"tracking_number": shipped["tracking_number"]}))
    assert (
        out["status"] == "in_transit" and out["estimated_delivery"] == shipped["estimated_delivery"]
    )
    lost = _order(status="lost")
    out = json.loads(desk.run("track_shipment", {"tracking_number": lost["tracking_number"]}))
    assert out["status"] == "lost" and "lost in transit" in out["events"][-1]["description"]


# --------------------------------------------------------------------------- errors as tool messages


def test_errors_come_back_as_error_tool_messages():
    rule = _call("lookup_order", {"order_id": "O99999"})
    assert isinstance(rule, ToolMessage) and rule.status == "error"
    assert rule.content == "Error: no order with id 'O99999'" and rule.tool_call_id == "call-1"
    invalid = _call("refund_order", {"order_id": "10023", "amount": "lots"})
    assert invalid.status == "error"
    assert invalid.content.startswith("Error: invalid arguments for refund_order: ")
    assert "order_id: String should match pattern" in invalid.content
    assert "amount: Input should be a valid number" in invalid.content
    ok = _call("lookup_order", {"order_id": WORLD["orders"][0]["id"]})
    assert ok.status == "success" and json.loads(ok.content)["order_id"] == WORLD["orders"][0]["id"]


def test_invalid_calls_are_logged_with_the_raw_arguments(desk):
    desk.run("lookup_order", {"order_id": "O1", "extra": 1})
    rec = desk.calls[-1]
    assert rec.ok is False and rec.args == {"order_id": "O1", "extra": 1}
    assert "extra: unknown argument" in rec.output
    assert desk.side_effects == []


# --------------------------------------------------------------------------- logs, clock, isolation


def test_side_effects_and_calls_are_stamped_from_the_current_clock():
    o = _order(status="delivered", charges=lambda c: len(c) == 1, refunded=0.0)
    with use_clock(VirtualClock(100.0)) as clock:
        desk = SupportDesk()
        desk.run("lookup_order", {"order_id": o["id"]})
        clock.advance(2.5)
        desk.run("refund_order", {"order_id": o["id"], "amount": o["total"]})
    assert [c.t for c in desk.calls] == [100.0, 102.5]
    assert desk.side_effects == [
        SideEffect("refund", "refund_order", {"order_id": o["id"], "amount": o["total"]}, 102.5)
    ]
    assert desk.side_effects[0].to_dict()["kind"] == "refund"
    assert json.loads(json.dumps([c.to_dict() for c in desk.calls]))[1]["ok"] is True
    with pytest.raises(AttributeError):
        desk.side_effects[0].kind = "other"  # frozen


def test_lookups_leave_no_side_effects(desk):
    o = WORLD["orders"][0]
    desk.run("lookup_order", {"order_id": o["id"]})
    desk.run("get_customer", {"customer_id": o["customer_id"]})
    desk.run("search_kb", {"query": "refund policy"})
    assert len(desk.calls) == 3 and desk.side_effects == []


def test_each_desk_starts_from_a_clean_copy():
    o = _order(status="processing")
    first = SupportDesk()
    first.run("cancel_order", {"order_id": o["id"]})
    assert first.world is not SupportDesk().world
    assert (
        json.loads(SupportDesk().run("lookup_order", {"order_id": o["id"]}))["status"]
        == "processing"
    )
    assert load_world()["orders"] == WORLD["orders"]
    mine = load_world()
    desk = SupportDesk(mine)
    desk.run("cancel_order", {"order_id": o["id"]})
    assert next(x for x in mine["orders"] if x["id"] == o["id"])["status"] == "processing"


# --------------------------------------------------------------------------- injection


def test_tool_output_injection_reaches_only_that_tool():
    scenario = next(
        s for s in load_scenarios() if s.injection and s.injection.tool == "lookup_order"
    )
    desk = SupportDesk(scenario=scenario.id)  # an id works too
    assert desk.scenario is scenario
    order_id = scenario.expected_tool_calls[0].args["order_id"]
    out = json.loads(desk.run("lookup_order", {"order_id": order_id}))
    assert scenario.injection.text in out["notes"]
    kb = desk.run("search_kb", {"query": "refund policy"})
    assert scenario.injection.text not in kb
    clean = SupportDesk().run("lookup_order", {"order_id": order_id})
    assert scenario.injection.text not in clean


def test_search_kb_injection_hides_in_the_article_body():
    scenario = next(s for s in load_scenarios() if s.injection and s.injection.tool == "search_kb")
    desk = SupportDesk(scenario=scenario)
    out = json.loads(
        desk.run(scenario.expected_tool_calls[0].name, scenario.expected_tool_calls[0].args)
    )
    assert out["results"][0]["body"].endswith(scenario.injection.text)


def test_user_channel_injection_does_not_touch_tool_outputs():
    scenario = next(s for s in load_scenarios() if s.injection and s.injection.channel == "user")
    desk = SupportDesk(scenario=scenario)
    for call in scenario.expected_tool_calls:
        assert scenario.injection.text not in desk.run(call.name, call.args)


def test_bad_scenario_argument():
    with pytest.raises(ValueError, match="no scenario with id 'sd-9999'"):
        SupportDesk(scenario="sd-9999")
    with pytest.raises(TypeError, match="scenario must be"):
        SupportDesk(scenario=42)


# --------------------------------------------------------------------------- LangGraph


def test_runs_in_a_langgraph_tool_node_with_parallel_calls():
    desk = SupportDesk()
    o = _order(status="shipped")
    node = ToolNode(desk.tools())
    msg = AIMessage(
        content="",
        tool_calls=[
            {"name": "lookup_order", "args": {"order_id": o["id"]}, "id": "a"},
            {
                "name": "track_shipment",
                "args": {"tracking_number": o["tracking_number"]},
                "id": "b",
            },
            {"name": "refund_order", "args": {"order_id": "O99999", "amount": 1}, "id": "c"},
        ],
    )
    graph = StateGraph(MessagesState)
    graph.add_node("tools", node)
    graph.add_edge(START, "tools")
    result = graph.compile().invoke({"messages": [msg]})
    by_id = {m.tool_call_id: m for m in result["messages"] if isinstance(m, ToolMessage)}
    assert json.loads(by_id["a"].content)["tracking_number"] == o["tracking_number"]
    assert json.loads(by_id["b"].content)["status"] == "in_transit"
    assert by_id["c"].status == "error" and "no order" in by_id["c"].content
    assert sorted(c.tool for c in desk.calls) == ["lookup_order", "refund_order", "track_shipment"]


def test_async_invocation():
    desk = SupportDesk()
    o = WORLD["orders"][3]
    out = asyncio.run(desk.tools(["lookup_order"])[0].ainvoke({"order_id": o["id"]}))
    assert json.loads(out)["order_id"] == o["id"]
    bad = asyncio.run(desk.tools(["lookup_order"])[0].ainvoke({"order_id": 5}))
    assert bad.startswith("Error: invalid arguments for lookup_order")
    assert [c.ok for c in desk.calls] == [True, False]
    assert desk.calls[1].args == {"order_id": 5}
