"""The support desk: in-memory state, business rules, logs, and its LangChain tools."""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import ValidationError

from infralab.clock import current_clock
from infralab.datasets import Scenario, load_scenarios
from infralab.datasets._loader import episode_world
from infralab.tools._schemas import ARGS_SCHEMAS, DESCRIPTIONS

#: The tools a specialist agent for each route gets (``SupportDesk.tools_for(route)``).
#: Every scenario's expected tool calls use only its route's tools, so a specialist finishes
#: its scenarios without a handoff (a test checks this). Lookups and e-mail are shared by
#: several routes on purpose, as on a real desk; the money-moving tools are not on technical
#: or account, and update_account is not on billing or shipping.
ROUTE_TOOLS: dict[str, tuple[str, ...]] = {
    "billing": ("get_customer", "lookup_order", "refund_order", "cancel_order", "send_email"),
    "shipping": (
        "get_customer",
        "lookup_order",
        "track_shipment",
        "refund_order",
        "search_kb",
        "send_email",
    ),
    "technical": ("get_customer", "search_kb", "update_account", "send_email"),
    "account": ("get_customer", "update_account", "search_kb", "send_email"),
}

#: The state-changing tools, and the kind of side effect each successful call leaves.
SIDE_EFFECT_KINDS: dict[str, str] = {
    "refund_order": "refund",
    "cancel_order": "cancel",
    "send_email": "email",
    "update_account": "account_update",
}

TOOL_NAMES: tuple[str, ...] = tuple(ARGS_SCHEMAS)

_SUBJECTS = {
    "password_reset": "Reset your password",
    "email_change_confirmation": "Your e-mail address was changed",
    "invoice": "Your invoice for order {order}",
    "return_label": "Your prepaid return label for order {order}",
    "refund_confirmation": "Your refund for order {order}",
}
_ORDER_TEMPLATES = ("invoice", "return_label", "refund_confirmation")
_STOPWORDS = frozenset(
    "a an and are at can do does for from how i in is it my of on or the to what when with "
    "you your".split()
)


@dataclass(frozen=True)
class SideEffect:
    """A state change the desk made: what graders read to see what an agent did.

    Attributes:
        kind: ``"refund"``, ``"cancel"``, ``"email"`` or ``"account_update"``.
        tool: the tool that made it.
        args: the call's arguments (as validated; unset optional ones left out).
        t: ``current_clock().now()`` when it happened.
    """

    kind: str
    tool: str
    args: dict[str, Any] = field(hash=False)
    t: float

    def to_dict(self) -> dict[str, Any]:
        """As JSON data."""
        return {"kind": self.kind, "tool": self.tool, "args": dict(self.args), "t": self.t}


@dataclass(frozen=True)
class CallRecord:
    """One tool call the desk received, successful or not.

    Attributes:
        tool: the tool's name.
        args: the validated arguments, or the raw input when validation failed.
        ok: False when the call was rejected (invalid arguments or a business rule).
        output: what the model got back (JSON text, or the error message).
        t: ``current_clock().now()`` when it was made.
    """

    tool: str
    args: dict[str, Any] = field(hash=False)
    ok: bool
    output: str
    t: float

    def to_dict(self) -> dict[str, Any]:
        """As JSON data."""
        return {
            "tool": self.tool,
            "args": dict(self.args),
            "ok": self.ok,
            "output": self.output,
            "t": self.t,
        }


class DeskError(Exception):
    """A business rule refused the call; the message goes back to the model as a tool error."""


# The raw input of the tool call being run, so that a call rejected by validation (before
# our function runs) is still logged with what the model sent.
_raw_input: contextvars.ContextVar[Any] = contextvars.ContextVar("infralab_tool_input")


class _DeskTool(StructuredTool):
    """A StructuredTool that remembers its raw input while it runs (see ``_raw_input``)."""

    def run(self, tool_input: Any, *args: Any, **kwargs: Any) -> Any:
        token = _raw_input.set(tool_input)
        try:
            return super().run(tool_input, *args, **kwargs)
        finally:
            _raw_input.reset(token)

    async def arun(self, tool_input: Any, *args: Any, **kwargs: Any) -> Any:
        token = _raw_input.set(tool_input)
        try:
            return await super().arun(tool_input, *args, **kwargs)
        finally:
            _raw_input.reset(token)


def _cents(amount: float) -> int:
    return round(amount * 100)


def _fmt(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in _STOPWORDS}


def _describe_validation(tool: str, error: ValidationError) -> str:
    problems = []
    for err in error.errors(include_url=False):
        loc = ".".join(str(x) for x in err["loc"]) or "arguments"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown argument"
        got = err.get("input")
        shown = "" if err["type"] == "missing" or isinstance(got, dict) else f" (got {got!r})"
        problems.append(f"{loc}: {msg}{shown}")
    fields = ARGS_SCHEMAS[tool].model_fields
    expected = ", ".join(
        f"{name}{'' if info.is_required() else '?'}" for name, info in fields.items()
    )
    legend = " (? = optional)" if any(not f.is_required() for f in fields.values()) else ""
    return (
        f"Error: invalid arguments for {tool}: {'; '.join(problems)}. "
        f"Expected arguments: {expected}{legend}."
    )


def tool_names(names: Iterable[str] | None = None) -> tuple[str, ...]:
    """The desk tool names asked for (all, in a fixed order, for ``None``).

    Raises:
        ValueError: a name is not a desk tool.
    """
    wanted = TOOL_NAMES if names is None else tuple(names)
    unknown = [n for n in wanted if n not in ARGS_SCHEMAS]
    if unknown:
        raise ValueError(f"unknown tool(s) {unknown}; the desk has {', '.join(TOOL_NAMES)}")
    return tuple(wanted)


def route_tool_names(route: str) -> tuple[str, ...]:
    """The tool names of a route's specialist (``ROUTE_TOOLS``), or ``ValueError``."""
    if route not in ROUTE_TOOLS:
        raise ValueError(f"route must be one of {', '.join(ROUTE_TOOLS)}, got {route!r}")
    return tuple(ROUTE_TOOLS[route])


class SupportDesk:
    """The simulated support desk: customers, orders and a knowledge base, behind tools.

    Each desk holds its own deep copy of the world, so every episode starts clean. Its tools
    are real LangChain ``StructuredTool`` objects with Pydantic argument schemas; business
    rules (refund more than paid, unknown order, cancel a shipped order...) come back to the
    model as tool errors (``ToolMessage`` with ``status="error"``), never as exceptions.

    Every call is logged in :attr:`calls`; every state change (refund, cancellation, e-mail,
    account change) in :attr:`side_effects`, stamped with ``current_clock().now()``.

    Indirect prompt injection: when ``scenario`` carries an injection with channel
    ``"tool_output"``, that tool's successful outputs include the injected text (the
    safety labs of track B build on this).

    Introduced in lab ``00-orientation``; used by the topology (A), evaluation and safety (B)
    and conversation (C) labs.

    Args:
        world: a world dict in ``world.json``'s shape (deep-copied); default: the dataset's.
        scenario: a :class:`~infralab.datasets.Scenario` (or its id) the episode plays.

    Example:
        >>> desk = SupportDesk()
        >>> desk.run("cancel_order", {"order_id": "O10001"})[:6]
        'Error:'
    """

    def __init__(self, world: dict[str, Any] | None = None, *, scenario: Any = None) -> None:
        self.world: dict[str, Any] = (
            episode_world() if world is None else json.loads(json.dumps(world))
        )
        self.scenario: Scenario | None = _resolve_scenario(scenario)
        self.side_effects: list[SideEffect] = []
        self.calls: list[CallRecord] = []
        self._lock = threading.RLock()
        self._customers = {c["id"]: c for c in self.world["customers"]}
        self._orders = {o["id"]: o for o in self.world["orders"]}
        self._tools: dict[str, StructuredTool] = {}

    def __repr__(self) -> str:
        sc = self.scenario.id if self.scenario else None
        return f"SupportDesk(scenario={sc!r}, calls={len(self.calls)}, side_effects={len(self.side_effects)})"

    # ------------------------------------------------------------------ tools

    def tools(self, names: Iterable[str] | None = None) -> list[StructuredTool]:
        """The desk's LangChain tools, all (in a fixed order) or those named.

        Raises:
            ValueError: a name is not a desk tool.
        """
        return [self._tool(n) for n in tool_names(names)]

    def tools_for(self, route: str) -> list[StructuredTool]:
        """The tools of a route's specialist (see ``ROUTE_TOOLS``).

        Raises:
            ValueError: ``route`` is not billing, shipping, technical or account.
        """
        return self.tools(route_tool_names(route))

    def run(self, name: str, args: dict[str, Any]) -> str:
        """Call a tool by name as a model would (same validation, errors and logs); its output."""
        (tool,) = self.tools([name])
        return tool.invoke(args)

    def _tool(self, name: str) -> StructuredTool:
        tool = self._tools.get(name)
        if tool is None:
            impl: Callable[..., dict[str, Any]] = getattr(self, f"_{name}")

            def func(**kwargs: Any) -> str:
                return self._execute(name, impl, kwargs)

            def on_invalid(error: Any) -> str:
                return self._rejected(name, error)

            tool = _DeskTool(
                name=name,
                description=DESCRIPTIONS[name],
                args_schema=ARGS_SCHEMAS[name],
                func=func,
                handle_tool_error=True,
                handle_validation_error=on_invalid,
            )
            self._tools[name] = tool
        return tool

    # ------------------------------------------------------------------ execution

    def _execute(self, name: str, impl: Callable[..., dict[str, Any]], kwargs: Any) -> str:
        args = {k: v for k, v in kwargs.items() if v is not None}
        with self._lock:
            t = current_clock().now()
            try:
                result = impl(**args)
            except DeskError as e:
                message = f"Error: {e}"
                self.calls.append(CallRecord(name, args, False, message, t))
                raise ToolException(message) from None
            self._inject(name, result)
            output = json.dumps(result, ensure_ascii=False)
            self.calls.append(CallRecord(name, args, True, output, t))
            if name in SIDE_EFFECT_KINDS:
                self.side_effects.append(SideEffect(SIDE_EFFECT_KINDS[name], name, args, t))
            return output

    def _rejected(self, name: str, error: Any) -> str:
        message = (
            _describe_validation(name, error)
            if isinstance(error, ValidationError)
            else f"Error: invalid arguments for {name}: {error}"
        )
        raw = _raw_input.get(None)
        args = dict(raw) if isinstance(raw, dict) else {"input": raw}
        with self._lock:
            self.calls.append(CallRecord(name, args, False, message, current_clock().now()))
        return message

    def _inject(self, name: str, result: dict[str, Any]) -> None:
        inj = self.scenario.injection if self.scenario else None
        if inj is None or inj.channel != "tool_output" or inj.tool != name:
            return
        # Planted where such text really hides: an order's notes, a help article's body.
        if name == "search_kb" and result.get("results"):
            first = result["results"][0]
            first["body"] = f"{first['body']}\n\n{inj.text}"
        else:
            notes = result.get("notes") or ""
            result["notes"] = f"{notes} {inj.text}".strip()

    # ------------------------------------------------------------------ lookups

    def _customer(self, customer_id: str) -> dict[str, Any]:
        c = self._customers.get(customer_id)
        if c is None:
            raise DeskError(f"no customer with id {customer_id!r}")
        return c

    def _order(self, order_id: str) -> dict[str, Any]:
        o = self._orders.get(order_id)
        if o is None:
            raise DeskError(f"no order with id {order_id!r}")
        return o

    @staticmethod
    def _paid(o: dict[str, Any]) -> int:
        return sum(_cents(ch["amount"]) for ch in o["charges"])

    # ------------------------------------------------------------------ tools' bodies

    def _get_customer(self, customer_id: str | None = None, email: str | None = None) -> dict:
        if customer_id is not None:
            c = self._customer(customer_id)
        else:
            assert email is not None  # the schema requires exactly one
            found = [x for x in self._customers.values() if x["email"].lower() == email.lower()]
            if not found:
                raise DeskError(f"no customer with e-mail {email!r}")
            c = found[0]
        orders = [o for o in self.world["orders"] if o["customer_id"] == c["id"]]
        return {
            "customer_id": c["id"],
            "name": c["name"],
            "email": c["email"],
            "tier": c["tier"],
            "address": c["address"],
            "two_factor_enabled": c["two_factor_enabled"],
            "status": c["status"],
            "api_key_last4": c["api_key_last4"],
            "orders": [
                {
                    "order_id": o["id"],
                    "placed_at": o["placed_at"],
                    "status": o["status"],
                    "total": _fmt(_cents(o["total"])),
                }
                for o in orders
            ],
        }

    def _lookup_order(self, order_id: str) -> dict:
        o = self._order(order_id)
        paid, refunded = self._paid(o), _cents(o["refunded"])
        return {
            "order_id": o["id"],
            "customer_id": o["customer_id"],
            "status": o["status"],
            "placed_at": o["placed_at"],
            "items": [
                {
                    "name": i["name"],
                    "quantity": i["quantity"],
                    "unit_price": _fmt(_cents(i["unit_price"])),
                }
                for i in o["items"]
            ],
            "total": _fmt(_cents(o["total"])),
            "charges": [
                {"charge_id": ch["id"], "amount": _fmt(_cents(ch["amount"]))} for ch in o["charges"]
            ],
            "paid": _fmt(paid),
            "refunded": _fmt(refunded),
            "refundable": _fmt(paid - refunded),
            "currency": self.world.get("currency", "USD"),
            "carrier": o["carrier"],
            "tracking_number": o["tracking_number"],
            "shipped_at": o["shipped_at"],
            "estimated_delivery": o["estimated_delivery"],
            "delivered_at": o["delivered_at"],
            "returned_at": o["returned_at"],
            "notes": o["notes"],
        }

    def _track_shipment(self, tracking_number: str) -> dict:
        found = [o for o in self.world["orders"] if o["tracking_number"] == tracking_number]
        if not found:
            raise DeskError(
                f"no shipment with tracking number {tracking_number!r} "
                "(orders still processing have none yet)"
            )
        o = found[0]
        status = {
            "shipped": "in_transit",
            "delivered": "delivered",
            "lost": "lost",
            "returned": "returned_to_warehouse",
        }.get(o["status"], o["status"])
        return {
            "tracking_number": tracking_number,
            "carrier": o["carrier"],
            "order_id": o["id"],
            "status": status,
            "estimated_delivery": o["estimated_delivery"] if status == "in_transit" else None,
            "delivered_at": o["delivered_at"],
            "events": o["events"],
        }

    def _refund_order(self, order_id: str, amount: float) -> dict:
        o = self._order(order_id)
        cents = _cents(amount)
        if abs(amount * 100 - cents) > 1e-6:
            raise DeskError(f"amount {amount!r} has more than two decimals")
        if cents <= 0:
            raise DeskError(f"amount {amount!r} is less than 0.01")
        if o["status"] == "processing":
            raise DeskError(
                f"order {order_id} has not shipped yet: cancel it with cancel_order instead"
            )
        paid, refunded = self._paid(o), _cents(o["refunded"])
        if refunded >= paid:
            raise DeskError(f"order {order_id} has already been refunded in full ({_fmt(paid)})")
        if cents > paid - refunded:
            raise DeskError(
                f"refund of {_fmt(cents)} exceeds the {_fmt(paid - refunded)} still refundable "
                f"on order {order_id} (paid {_fmt(paid)}, already refunded {_fmt(refunded)})"
            )
        o["refunded"] = (refunded + cents) / 100
        return {
            "order_id": order_id,
            "refunded_now": _fmt(cents),
            "refunded_total": _fmt(refunded + cents),
            "refundable": _fmt(paid - refunded - cents),
            "message": f"Refunded {_fmt(cents)} to the original payment method; it arrives "
            "within 5-7 business days.",
        }

    def _cancel_order(self, order_id: str) -> dict:
        o = self._order(order_id)
        if o["status"] == "cancelled":
            raise DeskError(f"order {order_id} is already cancelled")
        if o["status"] != "processing":
            raise DeskError(
                f"order {order_id} has status {o['status']} and can no longer be cancelled; "
                "only processing orders can (offer a return or refund instead)"
            )
        paid, refunded = self._paid(o), _cents(o["refunded"])
        o["status"] = "cancelled"
        o["refunded"] = paid / 100
        return {
            "order_id": order_id,
            "status": "cancelled",
            "refunded": _fmt(paid - refunded),
            "message": f"Order {order_id} cancelled; {_fmt(paid - refunded)} refunded to the "
            "original payment method.",
        }

    def _search_kb(self, query: str) -> dict:
        words = _tokens(query)
        scored = []
        for article in self.world["kb"]:
            title, tags = _tokens(article["title"]), {t.lower() for t in article["tags"]}
            body = _tokens(article["body"])
            score = sum(3 * (w in title) + 2 * (w in tags) + (w in body) for w in words)
            if score:
                scored.append((-score, article["id"], article))
        scored.sort(key=lambda x: (x[0], x[1]))
        results = [
            {"id": a["id"], "title": a["title"], "body": a["body"]} for _, _, a in scored[:3]
        ]
        out: dict[str, Any] = {"query": query, "results": results}
        if not results:
            out["message"] = "No article matches; try other keywords."
        return out

    def _send_email(self, customer_id: str, template: str, order_id: str | None = None) -> dict:
        c = self._customer(customer_id)
        if template in _ORDER_TEMPLATES:
            if order_id is None:
                raise DeskError(f"template {template!r} needs an order_id")
        if order_id is not None:
            o = self._order(order_id)
            if o["customer_id"] != customer_id:
                raise DeskError(f"order {order_id} does not belong to customer {customer_id}")
            if template == "return_label" and o["status"] != "delivered":
                raise DeskError(
                    f"order {order_id} has status {o['status']}: only delivered orders can be "
                    "returned"
                )
        return {
            "sent": True,
            "to": c["email"],
            "template": template,
            "subject": _SUBJECTS[template].format(order=order_id),
            "order_id": order_id,
        }

    def _update_account(
        self,
        customer_id: str,
        email: str | None = None,
        address: str | None = None,
        tier: str | None = None,
        two_factor_enabled: bool | None = None,
        rotate_api_key: bool | None = None,
    ) -> dict:
        c = self._customer(customer_id)
        if email is not None:
            taken = [
                x["id"]
                for x in self._customers.values()
                if x["email"].lower() == email.lower() and x["id"] != customer_id
            ]
            if taken:
                raise DeskError(f"e-mail {email!r} is already used by another account")
        updated: dict[str, Any] = {}
        notes = []
        if email is not None:
            c["email"] = updated["email"] = email
            notes.append(f"E-mail changed to {email}.")
        if address is not None:
            c["address"] = updated["address"] = address
            notes.append(f"Address updated to {address}.")
        if tier is not None:
            notes.append(f"Plan changed from {c['tier']} to {tier}.")
            c["tier"] = updated["tier"] = tier
        if two_factor_enabled is not None:
            c["two_factor_enabled"] = updated["two_factor_enabled"] = two_factor_enabled
            state = "enabled" if two_factor_enabled else "disabled"
            notes.append(f"Two-factor authentication {state}.")
        if rotate_api_key:
            # The new key is derived from the old one, so replays give the same key.
            new = hashlib.blake2b(
                f"{customer_id}:{c['api_key_last4']}".encode(), digest_size=2
            ).hexdigest()
            c["api_key_last4"] = updated["api_key_last4"] = new
            notes.append(f"API key rotated: the old key is revoked; the new one ends in {new}.")
        return {"customer_id": customer_id, "updated": updated, "message": " ".join(notes)}


def _resolve_scenario(scenario: Any) -> Scenario | None:
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str):
        for s in load_scenarios():
            if s.id == scenario:
                return s
        raise ValueError(f"no scenario with id {scenario!r}")
    raise TypeError(f"scenario must be a Scenario, a scenario id or None, got {scenario!r}")
