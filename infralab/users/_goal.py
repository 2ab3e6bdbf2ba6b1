"""What a simulated user wants: the multi-turn ground truth of a scenario (its *goal*).

A plain scenario carries its ground truth (``expected_tool_calls``, ``answer_facts``) and the
user's message already holds every detail. An ambiguous scenario has neither: the message
leaves out the detail a correct agent must ask for (``clarifying_question``). This module
derives that detail and the ground truth that follows from it, from the scenario and the
world (``datasets/`` is never edited):

=====================  ===============  ====================================================
intent (ambiguous)     held-back slot   how the ground truth is derived
=====================  ===============  ====================================================
``refund_request``     ``order_id``     one of the customer's delivered orders; lookup +
                                        refund of its total; facts: order id, amount
``double_charge``      ``order_id``     the customer's order with two charges if any (refund
                                        of one charge), else a delivered/shipped order
                                        (lookup only; facts: order id, the one charge)
``where_is_my_order``  ``order_id``     one of the customer's shipped (else delivered)
                                        orders; lookup + track; the plain scenario's facts
``api_error``          ``error``        an HTTP code the knowledge base covers (as in the
                                        plain ``api_error`` scenarios); search_kb + its fact
``change_plan``        ``tier``         a tier other than the customer's; get_customer +
                                        update_account(tier); fact: the tier
``change_email``       ``new_email``    ``first.last.NN@domain``; get_customer +
                                        update_account(email) + confirmation e-mail
=====================  ===============  ====================================================

Every choice is a draw keyed by the scenario id alone (not the user's seed), so a scenario's
multi-turn ground truth is one fixed thing; the seed only varies how the user behaves.
"""

from __future__ import annotations

import http
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from infralab.datasets._schema import TIERS
from infralab.llm._draw import Draws

__all__ = ["UserGoal", "derive_goal", "alternatives", "get_field", "GENERIC_SUMMARY"]

#: Where the knowledge base answers about API errors are asked from (the plain scenarios' path).
ENDPOINT = "/v2/orders"

_ORDER_INTENTS = frozenset(
    {
        "refund_request",
        "double_charge",
        "cancel_order",
        "invoice_request",
        "refund_status",
        "where_is_my_order",
        "delivered_not_received",
        "lost_package",
        "return_label",
    }
)


def get_field(obj: Any, name: str, default: Any = None) -> Any:
    """An attribute or a mapping key: scenarios are duck-typed (a Scenario or plain data)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _call(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args}


def _money(value: float) -> str:
    return f"{round(value * 100) / 100:.2f}"


@dataclass(frozen=True)
class UserGoal:
    """What the user wants, as ground truth a grader can compare an agent's work with.

    Attributes:
        intent: what the user wants (``refund_request``...); may change when the user changes
            its mind (``refund_request`` -> ``return_label``).
        route: the scenario's route.
        slots: the details the user knows, ``name -> text`` (``order_id``, ``email``,
            ``amount``, ``tracking_number``, ``tier``, ``new_email``, ``error``...).
        held_back: slot names the opening message leaves out; the user gives them only when
            asked (a clarifying question).
        expected_tool_calls: ``{"name", "args"}`` dicts a correct agent makes, in order.
        answer_facts: strings a correct final answer mentions.
        summary: one line that says what the user wants, for transcripts and widgets.
    """

    intent: str
    route: str
    slots: dict[str, str] = field(hash=False)
    held_back: tuple[str, ...]
    expected_tool_calls: tuple[dict[str, Any], ...] = field(hash=False)
    answer_facts: tuple[str, ...]
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The goal as JSON data."""
        return {
            "intent": self.intent,
            "route": self.route,
            "slots": dict(self.slots),
            "held_back": list(self.held_back),
            "expected_tool_calls": [
                {"name": c["name"], "args": dict(c["args"])} for c in self.expected_tool_calls
            ],
            "answer_facts": list(self.answer_facts),
            "summary": self.summary,
        }


# --------------------------------------------------------------------------- the world


class _WorldView:
    """Indexes over a world dict (customers and orders by id, orders by customer)."""

    def __init__(self, world: Mapping[str, Any]) -> None:
        self.customers = {c["id"]: c for c in world.get("customers", ())}
        self.orders = {o["id"]: o for o in world.get("orders", ())}
        self.by_customer: dict[str, list[dict[str, Any]]] = {}
        for o in world.get("orders", ()):
            self.by_customer.setdefault(o["customer_id"], []).append(o)
        self.by_email = {c.get("email"): c for c in self.customers.values()}


_VIEWS: dict[int, tuple[object, _WorldView]] = {}
_DEFAULT_VIEWS: dict[str, _WorldView] = {}
_LOCK = threading.Lock()


def world_view(world: Mapping[str, Any] | None) -> _WorldView:
    """A cached view of ``world`` (default: the support-desk world, loaded once)."""
    if world is None:
        from infralab.datasets import data_dir, load_world

        key = str(data_dir())
        with _LOCK:
            hit = _DEFAULT_VIEWS.get(key)
            if hit is None:
                hit = _DEFAULT_VIEWS[key] = _WorldView(load_world())
        return hit
    entry = _VIEWS.get(id(world))
    if entry is not None and entry[0] is world:
        return entry[1]
    view = _WorldView(world)
    with _LOCK:
        if len(_VIEWS) > 64:
            _VIEWS.clear()
        _VIEWS[id(world)] = (world, view)
    return view


def _api_error_facts() -> dict[int, list[str]]:
    """HTTP code -> answer facts, read from the plain ``api_error`` scenarios of the dataset."""
    from infralab.datasets import data_dir, load_scenarios

    key = str(data_dir())
    found = _API_FACTS.get(key)
    if found is not None:
        return found
    table: dict[int, list[str]] = {}
    for s in load_scenarios():
        if s.intent != "api_error" or s.ambiguous:
            continue
        for c in s.expected_tool_calls:
            m = re.fullmatch(r"API error (\d{3})", str(c.args.get("query", "")))
            if c.name == "search_kb" and m:
                table.setdefault(int(m.group(1)), list(s.answer_facts))
    if not table:  # a custom dataset without such rows: the article's first fact is unknown
        table = {500: ["exponential backoff"]}
    _API_FACTS[key] = table
    return table


_API_FACTS: dict[str, dict[int, list[str]]] = {}


# --------------------------------------------------------------------------- ground truth


def _order_truth(intent: str, o: Mapping[str, Any], c: Mapping[str, Any]) -> dict[str, Any]:
    """Calls and facts for an order intent, as the dataset generator computes them."""
    total = _money(o["total"])
    lookup = _call("lookup_order", order_id=o["id"])
    track = _call("track_shipment", tracking_number=o.get("tracking_number"))
    refund = _call("refund_order", order_id=o["id"], amount=o["total"])
    if intent == "refund_request":
        return {"calls": [lookup, refund], "facts": [o["id"], total]}
    if intent == "double_charge":
        if len(o.get("charges") or ()) >= 2:
            extra = o["charges"][-1]["amount"]
            return {
                "calls": [lookup, _call("refund_order", order_id=o["id"], amount=extra)],
                "facts": [o["id"], _money(extra)],
            }
        return {"calls": [lookup], "facts": [o["id"], total]}  # only one charge: say so
    if intent == "cancel_order":
        return {
            "calls": [lookup, _call("cancel_order", order_id=o["id"])],
            "facts": [o["id"], total],
        }
    if intent in ("invoice_request", "return_label"):
        template = "invoice" if intent == "invoice_request" else "return_label"
        send = _call("send_email", customer_id=c["id"], template=template, order_id=o["id"])
        return {"calls": [lookup, send], "facts": [o["id"], c["email"]]}
    if intent == "refund_status":
        return {"calls": [lookup], "facts": [total, str(o.get("returned_at"))]}
    if intent == "where_is_my_order":
        if o.get("status") == "delivered":
            facts = [o["tracking_number"], str(o.get("delivered_at"))]
        else:
            facts = [o["tracking_number"], o["carrier"], str(o.get("estimated_delivery"))]
        return {"calls": [lookup, track], "facts": facts}
    if intent == "delivered_not_received":
        return {
            "calls": [lookup, track],
            "facts": [o["tracking_number"], str(o.get("delivered_at"))],
        }
    if intent == "lost_package":
        return {"calls": [lookup, track, refund], "facts": [o["tracking_number"], total]}
    raise ValueError(f"not an order intent: {intent!r}")  # pragma: no cover


#: Which of a customer's orders fit an order intent (for ambiguity and for a change of mind).
def _fits(intent: str, o: Mapping[str, Any]) -> bool:
    status = o.get("status")
    charges = len(o.get("charges") or ())
    unrefunded = not o.get("refunded")
    return {
        "refund_request": status == "delivered" and charges == 1 and unrefunded,
        "double_charge": status in ("delivered", "shipped") and unrefunded,
        "cancel_order": status == "processing",
        "invoice_request": status in ("delivered", "shipped") and charges == 1,
        "refund_status": status == "returned",
        "where_is_my_order": status in ("shipped", "delivered"),
        "delivered_not_received": status == "delivered",
        "lost_package": status == "lost",
        "return_label": status == "delivered" and unrefunded,
    }.get(intent, False)


_SUMMARY = {
    "refund_request": "a refund for order {order_id}",
    "double_charge": "the double charge on order {order_id} sorted out",
    "cancel_order": "order {order_id} cancelled",
    "invoice_request": "the invoice for order {order_id}",
    "refund_status": "the status of the refund for order {order_id}",
    "where_is_my_order": "to know where order {order_id} is",
    "delivered_not_received": "order {order_id}, marked delivered but not received",
    "lost_package": "order {order_id}, which seems lost",
    "return_label": "a return label for order {order_id}",
    "api_error": "the API error {error} fixed",
    "change_plan": "the {tier} plan",
    "change_email": "the account e-mail changed to {new_email}",
    "update_address": "the address changed to {address}",
}


#: What the user wants, said without the details it still holds back.
GENERIC_SUMMARY = {
    "refund_request": "a refund",
    "double_charge": "the double charge sorted out",
    "where_is_my_order": "to know where my order is",
    "api_error": "the API errors fixed",
    "change_plan": "a different plan",
    "change_email": "my e-mail address changed",
}


def _summary(intent: str, slots: Mapping[str, str]) -> str:
    template = _SUMMARY.get(intent)
    if template is None:
        return intent.replace("_", " ")
    try:
        return template.format(**slots)
    except KeyError:
        return intent.replace("_", " ")


def _order_goal(
    intent: str, route: str, o: Mapping[str, Any], c: Mapping[str, Any], held: tuple[str, ...]
) -> UserGoal:
    truth = _order_truth(intent, o, c)
    slots = {"order_id": o["id"], "email": c["email"], "name": c["name"]}
    for call in truth["calls"]:
        if call["name"] in ("refund_order",):
            slots["amount"] = _money(call["args"]["amount"])
    return UserGoal(
        intent=intent,
        route=route,
        slots=slots,
        held_back=held,
        expected_tool_calls=tuple(truth["calls"]),
        answer_facts=tuple(truth["facts"]),
        summary=_summary(intent, slots),
    )


def _account_goal(
    intent: str, route: str, c: Mapping[str, Any], key: str, value: str, held: tuple[str, ...]
) -> UserGoal:
    who = _call("get_customer", email=c["email"])
    slots = {"email": c["email"], "name": c["name"], key: value}
    if intent == "change_plan":
        calls = [who, _call("update_account", customer_id=c["id"], tier=value)]
    elif intent == "change_email":
        calls = [
            who,
            _call("update_account", customer_id=c["id"], email=value),
            _call("send_email", customer_id=c["id"], template="email_change_confirmation"),
        ]
    else:  # update_address
        calls = [who, _call("update_account", customer_id=c["id"], address=value)]
    fact = value.split(",")[0] if intent == "update_address" else value
    return UserGoal(
        intent=intent,
        route=route,
        slots=slots,
        held_back=held,
        expected_tool_calls=tuple(calls),
        answer_facts=(fact,),
        summary=_summary(intent, slots),
    )


def _error_goal(
    route: str, c: Mapping[str, Any] | None, code: int, held: tuple[str, ...]
) -> UserGoal:
    facts = _api_error_facts().get(code, ["exponential backoff"])
    phrase = http.HTTPStatus(code).phrase
    slots = {"error": f"{code} {phrase}", "code": str(code), "endpoint": ENDPOINT}
    if c is not None:
        slots.update(email=c["email"], name=c["name"])
    return UserGoal(
        intent="api_error",
        route=route,
        slots=slots,
        held_back=held,
        expected_tool_calls=(_call("search_kb", query=f"API error {code}"),),
        answer_facts=tuple(facts),
        summary=_summary("api_error", slots),
    )


def _new_email(c: Mapping[str, Any], d: Draws, purpose: str, avoid: set[str]) -> str:
    first, _, last = c["name"].lower().partition(" ")
    last = last.replace(" ", "") or "user"
    domains = ("example.com", "example.org", "example.net")
    for k in range(20):
        n = 10 + d.index(f"{purpose}:n:{k}", 90)
        domain = domains[d.index(f"{purpose}:domain:{k}", len(domains))]
        email = f"{first}.{last}.{n}@{domain}"
        if email not in avoid and email != c["email"]:
            return email
    return f"{first}.{last}.new@example.com"  # pragma: no cover


_HELD = {
    "refund_request": "order_id",
    "double_charge": "order_id",
    "where_is_my_order": "order_id",
    "api_error": "error",
    "change_plan": "tier",
    "change_email": "new_email",
}


def _plain_goal(scenario: Any, view: _WorldView) -> UserGoal:
    """The goal of a scenario that carries its ground truth: slots read from the tool calls."""
    intent = str(get_field(scenario, "intent", ""))
    route = str(get_field(scenario, "route", ""))
    c = view.customers.get(str(get_field(scenario, "customer_id", "")), {})
    slots: dict[str, str] = {}
    if c:
        slots.update(email=c.get("email", ""), name=c.get("name", ""))
    calls: list[dict[str, Any]] = []
    for call in get_field(scenario, "expected_tool_calls", None) or ():
        name = str(get_field(call, "name", ""))
        args = dict(get_field(call, "args", None) or {})
        calls.append({"name": name, "args": args})
        for key in ("order_id", "tracking_number", "tier", "address"):
            if key in args:
                slots[key] = str(args[key])
        if name == "refund_order" and "amount" in args:
            slots["amount"] = _money(float(args["amount"]))
        if name == "get_customer" and "email" in args:
            slots["email"] = str(args["email"])
        if name == "update_account" and "email" in args:
            slots["new_email"] = str(args["email"])
        if name == "search_kb":
            m = re.fullmatch(r"API error (\d{3})", str(args.get("query", "")))
            if m:
                code = int(m.group(1))
                slots.update(
                    error=f"{code} {http.HTTPStatus(code).phrase}",
                    code=str(code),
                    endpoint=ENDPOINT,
                )
    facts = tuple(str(f) for f in get_field(scenario, "answer_facts", None) or ())
    return UserGoal(
        intent=intent,
        route=route,
        slots=slots,
        held_back=(),
        expected_tool_calls=tuple(calls),
        answer_facts=facts,
        summary=_summary(intent, slots),
    )


def derive_goal(scenario: Any, world: Mapping[str, Any] | None = None) -> UserGoal:
    """The multi-turn ground truth of ``scenario`` (see the module docstring).

    Args:
        scenario: a :class:`~infralab.datasets.Scenario` or anything with its fields.
        world: a world dict (default: the support-desk world).
    """
    view = world_view(world)
    if not get_field(scenario, "ambiguous", False) or get_field(
        scenario, "expected_tool_calls", None
    ):
        return _plain_goal(scenario, view)
    sid = str(get_field(scenario, "id", ""))
    intent = str(get_field(scenario, "intent", ""))
    route = str(get_field(scenario, "route", ""))
    c = view.customers.get(str(get_field(scenario, "customer_id", "")))
    d = Draws("user-goal", sid)
    held = (_HELD[intent],) if intent in _HELD else ()
    if intent in _ORDER_INTENTS and c is not None:
        mine = view.by_customer.get(c["id"], [])
        if intent == "double_charge":
            double = [o for o in mine if len(o.get("charges") or ()) >= 2 and _fits(intent, o)]
            pool = double or [o for o in mine if _fits(intent, o)]
        elif intent == "where_is_my_order":
            shipped = [o for o in mine if o.get("status") == "shipped"]
            pool = shipped or [o for o in mine if _fits(intent, o)]
        else:
            pool = [o for o in mine if _fits(intent, o)]
        if pool:
            o = pool[d.index("order", len(pool))]
            return _order_goal(intent, route, o, c, held)
    if intent == "api_error":
        codes = sorted(_api_error_facts())
        return _error_goal(route, c, codes[d.index("code", len(codes))], held)
    if intent == "change_plan" and c is not None:
        tiers = [t for t in TIERS if t != c.get("tier")]
        return _account_goal(intent, route, c, "tier", tiers[d.index("tier", len(tiers))], held)
    if intent == "change_email" and c is not None:
        return _account_goal(intent, route, c, "new_email", _new_email(c, d, "new", set()), held)
    # An ambiguity this module cannot resolve: the user holds nothing back and wants an answer.
    return replace(_plain_goal(scenario, view), held_back=())


# --------------------------------------------------------------------------- changes of mind


@dataclass(frozen=True)
class Change:
    """A change of mind: the new goal and what the user says about it."""

    goal: UserGoal
    kind: str  # "other_order", "other_intent", "other_value"
    say: str


def alternatives(
    goal: UserGoal, customer_id: str | None, world: Mapping[str, Any] | None = None
) -> list[Change]:
    """Every change of mind that makes sense for ``goal``, in a fixed order.

    - an order intent: the same request about another of the customer's orders that fits it;
      a refund becomes a return label and a return label a refund (same order);
    - ``change_plan``: another tier; ``change_email``: another new address;
      ``api_error``: another error code.
    Intents with no sensible alternative (password resets, knowledge-base questions) have none.
    """
    view = world_view(world)
    c = view.customers.get(customer_id or "")
    out: list[Change] = []
    order_id = goal.slots.get("order_id")
    if goal.intent in _ORDER_INTENTS and c is not None and order_id:
        held = goal.held_back
        for o in view.by_customer.get(c["id"], []):
            if o["id"] != order_id and _fits(goal.intent, o):
                new = _order_goal(goal.intent, goal.route, o, c, held)
                out.append(Change(new, "other_order", f"I meant order {o['id']}, not {order_id}."))
        current = view.orders.get(order_id)
        if current is not None:
            if goal.intent == "refund_request" and _fits("return_label", current):
                new = _order_goal("return_label", goal.route, current, c, held)
                say = (
                    f"Instead of a refund for order {order_id}, please just send me a return label."
                )
                out.append(Change(new, "other_intent", say))
            if goal.intent == "return_label" and _fits("refund_request", current):
                new = _order_goal("refund_request", goal.route, current, c, held)
                say = f"Instead of a return label, please refund order {order_id}."
                out.append(Change(new, "other_intent", say))
    elif goal.intent == "change_plan" and c is not None:
        for tier in TIERS:
            if tier not in (goal.slots.get("tier"), c.get("tier")):
                new = _account_goal("change_plan", goal.route, c, "tier", tier, goal.held_back)
                out.append(Change(new, "other_value", f"Please make it the {tier} plan instead."))
    elif goal.intent == "change_email" and c is not None:
        d = Draws("user-goal", "change_email", c["id"])
        email = _new_email(c, d, "alt", {goal.slots.get("new_email", "")})
        new = _account_goal("change_email", goal.route, c, "new_email", email, goal.held_back)
        out.append(Change(new, "other_value", f"Please use {email} as the new e-mail instead."))
    elif goal.intent == "api_error" and goal.slots.get("code"):
        current = int(goal.slots["code"])
        for code in sorted(_api_error_facts()):
            if code != current:
                new = _error_goal(goal.route, c, code, goal.held_back)
                out.append(
                    Change(
                        new, "other_value", f"Now the calls fail with {new.slots['error']} instead."
                    )
                )
    return out
