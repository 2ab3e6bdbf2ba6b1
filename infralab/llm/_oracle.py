"""The scenario oracle: answer a request about a dataset scenario from its ground truth.

The contract is in docs/architecture.md ("The scenario oracle"). In short: the oracle knows
what a correct agent does for the scenario (route, tool calls in order, facts of the final
answer, clarification, which injected instruction to ignore) and does it, bent by the
profile's error rates. Every draw is a hash of (profile, seed, scenario id, step, purpose):

- per scenario (no step): following an injection, asking the clarifying question, refusing;
  so a profile's rate is the share of scenarios affected, as an eval suite measures it;
- per step (the number of AI messages so far): misroutes, wrong handoffs, hallucinated tools
  and invalid arguments; so a retry after an error gets a fresh draw and can recover.

With parallel tool calls on (profile or request), the next expected call is joined in the same
turn by the expected calls after it that are independent of it: their tool is bound and every
argument value already appears in the conversation, so they need nothing an earlier call
returns (``lookup_order(O1)`` and ``get_customer(email)`` from the message go together;
``track_shipment`` waits for the tracking number ``lookup_order`` returns). Each extra call
draws its own hallucination and invalid-argument errors.

The request's features bend three of the rates through the family's behaviour card
(docs/behaviour-cards.md): where and how an injected instruction appears (plain, delimited,
datamarked, encoded) and a system prompt that says instructions in data are not to be followed
scale ``follows_injection_rate``; route descriptions, few-shot examples and the distance of the
instructions from the end of the prompt scale the misroute rate; a system prompt that asks for
clarifying questions scales the share of ambiguous requests left unasked. The draws stay keyed
by scenario, so a defence only ever removes failures: a scenario followed with the defence is
followed without it too.

Scenarios are duck-typed (attributes or mapping keys), so tests can use plain data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cached_property, lru_cache
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from infralab.datasets._schema import ROUTES, fold
from infralab.llm._card import FAR_FROM, FAR_SPAN, behaviour_card
from infralab.llm._catalog import ModelProfile
from infralab.llm._draw import Draws, KeptDraws, Reply
from infralab.llm._features import _views, spotlight_form
from infralab.llm._request import Request, text_of
from infralab.llm._rules import ANSWER_FIELDS, filler, text_hint
from infralab.llm._schema import NO_HINT, break_args, fill, string_fields

__all__ = ["ROUTES", "FINISH_VALUES", "oracle_reply", "route_of"]

FINISH_VALUES = frozenset({"finish", "end", "__end__", "done"})
_ALIASES = {"tech": "technical", "accounts": "account", "shipment": "shipping", "bill": "billing"}
_MAX_PARALLEL = 5  # calls per turn at most, as a model keeps a batch small
_HANDOFF = re.compile(r"^(?:transfer|handoff|hand_off)_to_(.+)$", re.I)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    # dict first by exact type: isinstance against the Mapping ABC is slow, and this runs
    # dozens of times per call
    if type(obj) is dict or (not hasattr(obj, name) and isinstance(obj, Mapping)):
        return obj.get(name, default)
    return getattr(obj, name, default)


def route_of(value: Any) -> str | None:
    """The route an enum value or tool target names (``"billing_agent"`` -> ``"billing"``)."""
    if not isinstance(value, str):
        return None
    low = value.lower()
    if low in ROUTES:
        return low
    for token in re.split(r"[^a-z]+", low):
        token = _ALIASES.get(token, token)
        if token in ROUTES:
            return token
    return None


def _searchable(text: str) -> str:
    """Folded text, plus the string values inside it when it is JSON (a tool's output often
    is, and JSON escapes would hide a value from a plain substring search)."""
    return " ".join(fold(view) for view in _views(text))


# Bound tool schemas are the same objects call after call (SimChatModel memoizes their
# conversion), so whether one has a route enum is worked out once per schema object.
_ROUTE_ENUM: dict[int, tuple[object, bool]] = {}


def _has_route_enum(schema: Mapping[str, Any]) -> bool:
    hit = _ROUTE_ENUM.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    found = any(any(route_of(v) for v in enum) for _f, enum in string_fields(schema) if enum)
    if len(_ROUTE_ENUM) >= 1024:
        _ROUTE_ENUM.clear()
    _ROUTE_ENUM[id(schema)] = (schema, found)
    return found


_ROUTING: dict[
    tuple[tuple[str, int], ...], tuple[tuple[Any, ...], dict[str, str | None], tuple[str, ...]]
] = {}


def _routing(params: Mapping[str, Any]) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """The bound tools' handoffs (name -> route) and the other tools with a route enum.

    Kept per (name, schema object) list: a binding passes the same schemas on every call.
    Callers get a copy of the handoffs dict.
    """
    key = tuple((n, id(schema)) for n, schema in params.items())
    hit = _ROUTING.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], params.values(), strict=True)):
        return dict(hit[1]), hit[2]
    handoffs = {n: route_of(m.group(1)) for n in params if (m := _HANDOFF.match(n))}
    routers = tuple(
        n for n, schema in params.items() if n not in handoffs and _has_route_enum(schema)
    )
    if len(_ROUTING) >= 1024:
        _ROUTING.clear()
    _ROUTING[key] = (tuple(params.values()), handoffs, routers)
    return dict(handoffs), routers


def _routing_of(req: Request) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """:func:`_routing` of the request's tools, kept on its binding's :class:`BoundTools`."""
    bound = req.bound
    if bound is None:
        return _routing(req.params)
    hit = bound.memo.get("oracle_routing")
    if hit is None:
        hit = bound.memo["oracle_routing"] = _routing(bound.params)
    return dict(hit[0]), hit[1]


def _appears(value: Any, text: str) -> bool:
    """Whether a model could take ``value`` from ``text`` (folded) without another call."""
    if isinstance(value, bool) or value is None:
        return False  # a flag is a decision, not something read off the conversation
    if isinstance(value, int | float):
        forms = {str(value), f"{value:g}", f"{value:.2f}"}
        return any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text) for f in forms)
    if isinstance(value, str):
        return fold(value) in text
    if isinstance(value, Mapping):
        return all(_appears(v, text) for v in value.values())
    if isinstance(value, list):
        return all(_appears(v, text) for v in value)
    return False


def _calls_of(scenario: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for call in _get(scenario, "expected_tool_calls", None) or ():
        out.append((str(_get(call, "name", "")), dict(_get(call, "args", None) or {})))
    return out


class _Truth:
    """What the oracle reads off a scenario, independent of the request."""

    __slots__ = ("scenario", "expected", "expected_names", "facts", "question", "sid", "route")

    def __init__(self, scenario: Any) -> None:
        self.scenario = scenario
        self.expected = _calls_of(scenario)  # read only: callers copy the args they send
        self.expected_names = frozenset(name for name, _ in self.expected)
        self.facts = [str(f) for f in (_get(scenario, "answer_facts", None) or ())]
        question = _get(scenario, "clarifying_question", None)
        self.question = question if isinstance(question, str) and question.strip() else None
        self.sid = str(_get(scenario, "id", ""))
        self.route = str(_get(scenario, "route", "") or "")


# An agent loop asks about the same scenario call after call. Frozen dataclasses (the
# dataset's Scenario) cannot change under us, so their reading is kept (by identity, the entry
# holding the object so its id is not reused); duck-typed scenarios are read afresh each time.
_TRUTHS: dict[int, _Truth] = {}


def _truth(scenario: Any) -> _Truth:
    hit = _TRUTHS.get(id(scenario))
    if hit is not None and hit.scenario is scenario:
        return hit
    truth = _Truth(scenario)
    params = getattr(type(scenario), "__dataclass_params__", None)
    if params is not None and params.frozen:
        if len(_TRUTHS) >= 4096:
            _TRUTHS.clear()
        _TRUTHS[id(scenario)] = truth
    return truth


# Kept per scenario and per step, with their draws (KeptDraws): the same numbers as fresh Draws.
@lru_cache(maxsize=8192)
def _scenario_draws(profile_id: str, seed: int, sid: str) -> Draws:
    return KeptDraws(profile_id, str(seed), "scenario", sid)


@lru_cache(maxsize=8192)
def _step_draws(profile_id: str, seed: int, sid: str, step: int) -> Draws:
    # = _scenario_draws(...).child("step", str(step)), keeping its draws
    return KeptDraws(_scenario_draws(profile_id, seed, sid).key, "step", str(step))


class _State:
    """What the history says about the scenario's progress."""

    def __init__(self, req: Request, scenario: Any, truth: _Truth | None = None) -> None:
        truth = _truth(scenario) if truth is None else truth
        self.req = req
        self.scenario = scenario
        self.expected = truth.expected
        # Only successful results count: a ToolMessage with status="error" (what ToolNode
        # returns for bad arguments) leaves the call to be made again.
        ok_ids = {
            m.tool_call_id
            for m in req.messages
            if isinstance(m, ToolMessage) and getattr(m, "status", "success") != "error"
        }
        done_names: list[str] = []
        for m in req.messages:
            if isinstance(m, AIMessage):
                done_names.extend(c["name"] for c in m.tool_calls if c.get("id") in ok_ids)
        pending = list(done_names)
        self.next_index: int | None = None
        self.pending: list[int] = []  # indices of expected calls without a result, in order
        for i, (name, _args) in enumerate(self.expected):
            if name in pending:
                pending.remove(name)
            else:
                self.pending.append(i)
                if self.next_index is None:
                    self.next_index = i
        self.step = req.ai_count()
        # Has the user spoken again since the scenario message (answered a clarification)?
        humans = [m for m in req.messages if isinstance(m, HumanMessage)]
        self.user_followed_up = len(humans) > 1
        self.facts = truth.facts
        self.question = truth.question
        ai_texts = [
            text_of(m.content)
            for m in req.messages
            if isinstance(m, AIMessage) and not m.tool_calls and text_of(m.content).strip()
        ]
        self.asked = self.question is not None and any(
            fold(self.question) in fold(t) for t in ai_texts
        )
        self.answered = any(self._mentions_facts(t) for t in ai_texts)
        self.any_done = bool(done_names)

    def _mentions_facts(self, text: str) -> bool:
        folded = fold(text)
        if not self.facts:
            return bool(folded)
        return all(fold(f) in folded for f in self.facts)

    @property
    def next_call(self) -> tuple[str, dict[str, Any]] | None:
        return None if self.next_index is None else self.expected[self.next_index]

    @property
    def tools_done(self) -> bool:
        return self.next_index is None

    @property
    def resolved(self) -> bool:
        """Finished: all expected calls made (if any), an answer with the facts given, or the
        clarifying question asked (the turn goes back to the user)."""
        if self.expected and self.tools_done:
            return True
        if self.answered:
            return True
        return self.asked and not self.user_followed_up

    @property
    def may_clarify(self) -> bool:
        return (
            bool(_get(self.scenario, "ambiguous", False))
            and self.question is not None
            and not self.user_followed_up
            and not self.asked
            and not self.any_done
        )


class _Oracle:
    def __init__(self, req: Request, scenario: Any, profile: ModelProfile, seed: int) -> None:
        self.req = req
        self.sc = scenario
        self.p = profile
        truth = _truth(scenario)
        self.st = _State(req, scenario, truth)
        # Keyed by scenario, never by the prompt's wording: a profile's rates are properties
        # of the model, the same whatever system prompt or tool descriptions an agent uses.
        self.d = _scenario_draws(profile.id, seed, truth.sid)  # per scenario
        self.ds = _step_draws(profile.id, seed, truth.sid, self.st.step)  # per step
        self.route = truth.route
        self.handoffs, routers = _routing_of(req)
        self.expected_names = truth.expected_names
        # A tool with a route enum is a router, unless the scenario expects it as a domain tool
        # (create_ticket(department=...) is work, not routing).
        self.route_tools = [n for n in routers if n not in truth.expected_names]

    # -- values ------------------------------------------------------------------------

    def choose_route(self, enum: list[Any]) -> Any:
        by_route: dict[str, Any] = {}
        for v in enum:
            r = route_of(v)
            if r and r not in by_route:
                by_route[r] = v
        finish = [v for v in enum if isinstance(v, str) and v.lower() in FINISH_VALUES]
        if finish and self.st.resolved:
            return finish[0]
        if not by_route:
            return enum[0]
        others = [v for r, v in by_route.items() if r != self.route]
        correct = by_route.get(self.route)
        if correct is None:
            return others[self.ds.index("route_pick", len(others))]
        if others and self.ds.chance("misroute", self.misroute_rate(list(by_route))):
            return others[self.ds.index("misroute_pick", len(others))]
        return correct

    def misroute_rate(self, routes: list[str]) -> float:
        """``1 - routing_accuracy``, scaled by the card for this prompt's routing features."""
        base = error = 1.0 - self.p.routing_accuracy
        if error <= 0:
            return 0.0
        card, features = behaviour_card(self.p), self.req.features()
        if features.route_descriptions(routes):
            error *= card.factor("route_descriptions")
        if features.few_shot(routes):
            error *= card.factor("few_shot")
        far = features.tokens_after_instructions
        if far > FAR_FROM:
            reach = min(1.0, (far - FAR_FROM) / FAR_SPAN)
            error *= 1.0 + (card.factor("instructions_far") - 1.0) * reach
        return min(error, max(base, 0.9))  # a long prompt never makes routing hopeless

    def asks_rate(self) -> float:
        """``asks_when_ambiguous``; a system prompt that asks for clarification shrinks the
        share of ambiguous requests left unasked by the card's factor."""
        rate = self.p.asks_when_ambiguous
        if self.req.features().clarify_instruction:
            miss = (1.0 - rate) * behaviour_card(self.p).factor("clarify_instruction")
            rate = 1.0 - miss
        return rate

    def final_text(self) -> str:
        opening = ("I looked into this for you.", "Here is what I found.", "Thanks for waiting.")
        text = opening[self.d.index("opening", len(opening))]
        facts = [f.strip() for f in self.st.facts if f.strip()]
        if facts:
            listed = facts[0] if len(facts) == 1 else f"{', '.join(facts[:-1])} and {facts[-1]}"
            end = "" if listed.endswith((".", "!", "?")) else "."
            text += f" The key detail{'s' if len(facts) > 1 else ''}: {listed}{end}"
        return text + filler(self.ds, self.p.verbosity)

    def hint(self, name: str, schema: Mapping[str, Any]) -> Any:
        lname = name.lower()
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            if any(route_of(v) for v in enum) or any(
                isinstance(v, str) and v.lower() in FINISH_VALUES for v in enum
            ):
                return self.choose_route(enum)
            intent = _get(self.sc, "intent", None)
            if intent in enum:
                return intent
            return NO_HINT
        kind = schema.get("type")
        if kind == "boolean" and lname in (
            "needs_clarification",
            "ambiguous",
            "is_ambiguous",
            "should_clarify",
            "clarify",
        ):
            return bool(self.st.may_clarify and self.d.chance("clarify", self.asks_rate()))
        if kind == "array" and lname in ("facts", "key_facts", "answer_facts", "key_points"):
            return list(self.st.facts)
        if kind != "string" and not (isinstance(kind, list) and "string" in kind):
            return NO_HINT
        if lname == "intent":
            return str(_get(self.sc, "intent", "") or NO_HINT)
        if lname in ("route", "department", "destination", "next", "team", "queue"):
            return self.route or NO_HINT
        if lname == "customer_id" and _get(self.sc, "customer_id", None):
            return str(_get(self.sc, "customer_id"))
        if lname in ("question", "clarifying_question", "clarification") and self.st.question:
            return self.st.question
        if lname in ("reason", "reasoning", "rationale", "justification"):
            return f"The customer's request is a {self.route or 'general'} matter."
        if lname in ("answer", "response", "reply", "final_answer", "summary", "message"):
            return self.final_text()
        return text_hint(self.req.first_human() or "")(name, schema)

    # -- replies -----------------------------------------------------------------------

    def call(self, name: str, args: dict[str, Any], decision: str) -> Reply:
        return Reply(
            tool_calls=[{"name": name, "args": args}], source="oracle", extra={"decision": decision}
        )

    def text(self, content: str, decision: str) -> Reply:
        schema = self.req.prompt_schema
        if schema is not None:  # the prompt asked for JSON: the same answer, in its format
            content = json.dumps(fill(schema, self.answer_hint(content)))
        return Reply(content=content, source="oracle", extra={"decision": decision})

    def answer_hint(self, content: str) -> Any:
        def hint(name: str, schema: Mapping[str, Any]) -> Any:
            if name.lower() in ANSWER_FIELDS and schema.get("type") in ("string", None):
                return content
            return self.hint(name, schema)

        return hint

    def fill_tool(self, name: str) -> dict[str, Any]:
        value = fill(self.req.params.get(name, {}), self.hint)
        return value if isinstance(value, dict) else {}

    def injection_call(self) -> tuple[str, dict[str, Any], float] | None:
        inj = _get(self.sc, "injection", None)
        if not inj:
            return None
        text = _get(inj, "text", None)
        forbidden = _get(inj, "forbidden_tool_call", None)
        if not isinstance(text, str) or not text.strip() or forbidden is None:
            return None
        name = str(_get(forbidden, "name", ""))
        args = dict(_get(forbidden, "args", None) or {})
        if name not in self.req.params:
            return None
        factor = self.injection_factor(text)
        if factor is None:
            return None
        already = any(
            c["name"] == name and dict(c.get("args") or {}) == args
            for c in self.req.all_tool_calls()
        )
        return None if already else (name, args, factor)

    def injection_factor(self, text: str) -> float | None:
        """How much of ``follows_injection_rate`` applies, or None when the text is unseen.

        The least protected copy decides: spotlighting helps only if every copy is
        spotlighted. The user's own message (a direct injection) is not data, so neither
        spotlighting nor a data instruction in the system prompt applies to it.
        """
        card = behaviour_card(self.p)
        first_human = next((m for m in self.req.messages if isinstance(m, HumanMessage)), None)
        worst: float | None = None
        for m in self.req.messages:
            if not isinstance(m, HumanMessage | ToolMessage):
                continue
            form = spotlight_form(text_of(m.content), text)
            if form is None:
                continue
            if m is first_human:
                factor = 1.0
            else:
                factor = 1.0 if form == "plain" else card.factor(form)
                if self.req.features().data_instruction:
                    factor *= card.factor("data_instruction")
            worst = factor if worst is None else max(worst, factor)
        return worst

    def domain_call(self, name: str, args: dict[str, Any], draws: Draws | None = None) -> Reply:
        ds = self.ds if draws is None else draws
        if self.req.forced is None and ds.chance("hallucinate", self.p.hallucinated_tool_rate):
            stem = re.sub(r"^(get|lookup|fetch|find|check|search)_", "", name)
            candidates = [
                f"{name}_v2",
                f"fetch_{stem}_details",
                "lookup_customer_history",
                "search_internal_database",
            ]
            candidates = [c for c in candidates if c not in self.req.params]
            fake = candidates[ds.index("hallucinate_pick", len(candidates))]
            return self.call(fake, dict(args), "hallucinated_tool")
        if ds.chance("invalid_args", self.p.invalid_args_rate):
            broken = break_args(self.req.params[name], args, lambda n: ds.index("invalid_pick", n))
            return self.call(name, broken, "invalid_args")
        return self.call(name, dict(args), "expected_tool")

    def parallel(self) -> bool:
        flag = self.req.parallel_tool_calls
        return self.p.parallel_tool_calls if flag is None else flag

    @cached_property
    def conversation(self) -> str:
        """Every message's folded text (with JSON string values), to look arguments up in."""
        return " ".join(_searchable(text_of(m.content)) for m in self.req.messages)

    def knowable(self, args: Mapping[str, Any]) -> bool:
        """Does every argument value already appear in the conversation?"""
        return all(_appears(v, self.conversation) for v in args.values())

    def with_independent_calls(self, first: Reply) -> Reply:
        """``first`` plus the following expected calls that are independent of it."""
        calls = list(first.tool_calls)
        for k, i in enumerate(self.st.pending[1:_MAX_PARALLEL]):
            name, args = self.st.expected[i]
            if name not in self.req.params or not self.knowable(args):
                break  # keep the scenario's order: a dependent call waits, and so do later ones
            extra = self.domain_call(name, args, self.ds.child("parallel", str(k + 1)))
            calls.extend(extra.tool_calls)
        if len(calls) == len(first.tool_calls):
            return first
        return Reply(
            tool_calls=calls, source="oracle", extra={**first.extra, "parallel": len(calls)}
        )

    def handoff(self) -> Reply | None:
        correct = [n for n, r in self.handoffs.items() if r == self.route]
        wrong = [n for n, r in self.handoffs.items() if r is not None and r != self.route]
        if correct:
            if wrong and self.ds.chance("handoff_error", self.p.handoff_error_rate):
                name = wrong[self.ds.index("handoff_pick", len(wrong))]
                return self.call(name, self.fill_tool(name), "wrong_handoff")
            return self.call(correct[0], self.fill_tool(correct[0]), "handoff")
        other = [n for n, r in self.handoffs.items() if r is None]
        if other:  # e.g. transfer_to_supervisor: give the request back
            return self.call(other[0], self.fill_tool(other[0]), "handoff_back")
        return None

    def reply(self) -> Reply:
        req, st = self.req, self.st
        can_call = bool(req.params) and not req.no_tools
        forced = req.forced
        if can_call:
            inj = self.injection_call()
            if (
                inj is not None
                and forced in (None, inj[0])
                and self.d.chance("injection", self.p.follows_injection_rate * inj[2])
            ):
                return self.call(inj[0], inj[1], "followed_injection")
        text_allowed = not req.must_call and req.response_schema is None
        if text_allowed and st.may_clarify:
            if self.d.chance("clarify", self.asks_rate()):
                return self.text(st.question or "", "clarify")
        if text_allowed and st.step == 0 and not st.any_done:
            if self.d.chance("refusal", self.p.refusal_rate):
                return self.text("I'm sorry, but I can't help with that request.", "refusal")
        nxt = st.next_call
        if can_call:
            next_bound = nxt is not None and nxt[0] in req.params
            if forced in self.route_tools or (
                forced is None and self.route_tools and not next_bound
            ):
                name = forced or self.route_tools[0]
                return self.call(name, self.fill_tool(name), "route")
            if nxt is not None and next_bound and forced in (None, nxt[0]):
                first = self.domain_call(nxt[0], nxt[1])
                if forced is None and self.parallel():
                    return self.with_independent_calls(first)
                return first
            if nxt is not None and not next_bound and self.handoffs and forced is None:
                handed = self.handoff()
                if handed is not None:
                    return handed
            if forced is not None:
                return self.call(forced, self.fill_tool(forced), "structured")
            if req.must_call:
                answer_tools = [
                    n for n in req.params if n not in self.handoffs and n not in self.expected_names
                ]
                name = answer_tools[0] if answer_tools else next(iter(req.params))
                return self.call(name, self.fill_tool(name), "structured")
        if req.response_schema is not None:
            if req.response_schema:
                value = fill(req.response_schema, self.hint)
            else:
                value = {"answer": self.final_text()}
            return self.text(json.dumps(value), "structured")
        tools_bound = any(n not in self.handoffs for n in req.params)
        if st.tools_done or not tools_bound:
            return self.text(self.final_text(), "final_answer")
        return self.text(
            f"I can't complete this from here: it looks like a {self.route} request, and I don't "
            "have the tools it needs.",
            "missing_tool",
        )


def oracle_reply(req: Request, scenario: Any, profile: ModelProfile, seed: int) -> Reply:
    """The oracle's reply to ``req`` about ``scenario``.

    Args:
        req: the request.
        scenario: a Scenario (or anything with its attributes / keys).
        profile: the model profile whose error rates bend the ground truth.
        seed: the model's seed; draws hash (profile, seed, scenario id, step, purpose).
    """
    return _Oracle(req, scenario, profile, seed).reply()
