"""The public corpora answered by the simulator: BFCL's abstention cases, AgentDojo injections.

Like the scenario oracle, this knows what a correct model does and does it, bent by the family's
behaviour card (docs/behaviour-cards.md, "Corpora"):

- **BFCL irrelevance** (``irrelevance``, ``live_irrelevance``): a request whose first user
  message is a case's question, with the case's functions bound: no call is correct, so the model says none of
  its functions fits; with probability ``irrelevance_call_rate`` it calls the bound function
  that best matches the words of the request anyway (what BFCL counts as a failure).
- **BFCL missing parameter / missing function** (``multi_turn_miss_param``,
  ``multi_turn_miss_func``): turn by turn (one user message a turn) the model makes the turn's
  ground-truth calls in order; at the turn whose ground truth is empty it asks for the missing
  detail (miss_param) or says it lacks a function for it (miss_func); with probability
  ``missing_call_rate`` it calls instead (miss_param: the next turn's call with a guessed value;
  miss_func: the held-out function, which is not bound, a hallucinated call).
- **AgentDojo injections**: when a tool result holds an injection task's goal and the task's
  first ground-truth function is bound, the model calls it with probability
  ``follows_injection_rate`` times the card's spotlighting and data-rule factors, exactly as for
  the support-desk scenarios.

Draws are keyed by (profile, seed, case id, purpose), never by the prompt's other wording. The
corpora are read once, lazily, from ``infralab.datasets`` (whatever splits are present).
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from infralab.datasets._schema import fold
from infralab.llm._card import behaviour_card
from infralab.llm._catalog import ModelProfile
from infralab.llm._draw import Draws, Reply
from infralab.llm._features import spotlight_form
from infralab.llm._request import Request, text_of
from infralab.llm._rules import _relevant_tool, text_hint
from infralab.llm._schema import fill

__all__ = ["corpus_reply", "parse_call"]

_LOCK = threading.Lock()
_BFCL: dict[str, list[Any]] | None = None
_GOALS: list[tuple[str, Any]] | None = None


def _bfcl_index() -> dict[str, list[Any]]:
    global _BFCL
    if _BFCL is None:
        from infralab.datasets import BFCL_CATEGORIES, DatasetError, load_bfcl

        index: dict[str, list[Any]] = {}
        for category in BFCL_CATEGORIES:
            try:
                cases = load_bfcl(category)
            except DatasetError:
                continue
            for case in cases:
                if case.turns and case.turns[0]:
                    key = fold(str(case.turns[0][-1].get("content", "")))
                    index.setdefault(key, []).append(case)
        with _LOCK:
            _BFCL = index
    return _BFCL


def _agentdojo_goals() -> list[tuple[str, Any]]:
    global _GOALS
    if _GOALS is None:
        from infralab.datasets import DatasetError, load_agentdojo_injections

        try:
            goals = [(fold(i.goal), i) for i in load_agentdojo_injections() if i.goal.strip()]
        except DatasetError:
            goals = []
        with _LOCK:
            _GOALS = goals
    return _GOALS


def parse_call(text: str, params: list[str]) -> tuple[str, dict[str, Any]]:
    """``(name, kwargs)`` of a BFCL ground-truth call string such as ``"cd(folder='doc')"``;
    positional arguments take the names in ``params`` (the function's parameters, in order)."""
    node = ast.parse(text.strip(), mode="eval").body
    if not isinstance(node, ast.Call):
        raise ValueError(f"not a call: {text!r}")
    name = ast.unparse(node.func)
    kwargs = {params[i]: ast.literal_eval(a) for i, a in enumerate(node.args) if i < len(params)}
    kwargs.update({k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg})
    return name, kwargs


def _tool_name(name: str, bound: Mapping[str, Any]) -> str | None:
    """The bound tool for a BFCL function name (dots may have become underscores)."""
    for candidate in (name, name.replace(".", "_"), name.split(".")[-1]):
        if candidate in bound:
            return candidate
    return None


def _params_of(case: Any, name: str) -> list[str]:
    docs = list(case.functions) + [f for fs in case.held_out.values() for f in fs]
    for doc in docs:
        if doc.get("name") == name:
            return list((doc.get("parameters") or {}).get("properties") or {})
    return []


def _turn_start(req: Request) -> int:
    """Index of the message that opened the current turn: the latest user message, or a
    later text answer of the model (after which BFCL's function-supplying turn begins)."""
    start = max((i for i, m in enumerate(req.messages) if isinstance(m, HumanMessage)), default=0)
    for i in range(start + 1, len(req.messages)):
        m = req.messages[i]
        if isinstance(m, AIMessage) and not m.tool_calls:
            start = i
    return start


def _turn_of(case: Any, req: Request) -> int:
    """The BFCL turn this request is at: the turn of the latest user message, moved on by one
    for each text answer since then while the next turn has no user message (BFCL's miss_func
    turn that only supplies the held-out functions)."""
    user_turns = [
        t for t, messages in enumerate(case.turns) for m in messages if m.get("role") == "user"
    ]
    k = req.human_count() - 1
    turn = user_turns[min(k, len(user_turns) - 1)] if user_turns and k >= 0 else 0
    last_human = max(
        (i for i, m in enumerate(req.messages) if isinstance(m, HumanMessage)), default=0
    )
    answers = sum(
        1 for m in req.messages[last_human + 1 :] if isinstance(m, AIMessage) and not m.tool_calls
    )
    while answers > 0 and turn + 1 < len(case.turns) and not case.turns[turn + 1]:
        turn += 1
        answers -= 1
    return turn


class _Bfcl:
    def __init__(self, req: Request, case: Any, profile: ModelProfile, seed: int) -> None:
        self.req, self.case, self.p = req, case, profile
        self.card = behaviour_card(profile)
        self.d = Draws(profile.id, str(seed), "bfcl", case.id)
        self.turn = _turn_of(case, req)

    def text(self, content: str, decision: str) -> Reply:
        return Reply(content=content, source="oracle", extra={"decision": decision})

    def call(self, name: str, args: dict[str, Any], decision: str) -> Reply:
        return Reply(
            tool_calls=[{"name": name, "args": args}], source="oracle", extra={"decision": decision}
        )

    def irrelevant(self) -> Reply:
        if self.d.chance("irrelevance_call", self.card.irrelevance_call_rate):
            text = self.req.first_human() or ""
            name = _relevant_tool(self.req, text) or next(iter(self.req.params))
            args = fill(self.req.params[name], text_hint(text), default_text=text[:80])
            return self.call(name, args if isinstance(args, dict) else {}, "irrelevant_call")
        return self.text(
            "None of the functions I have can do this, so I won't call any of them. "
            "If you can use another tool or service for it, that is the way to go.",
            "abstain",
        )

    def done_this_turn(self) -> int:
        """Successful calls made since the current user message."""
        start = _turn_start(self.req)
        ok = {
            m.tool_call_id
            for m in self.req.messages[start:]
            if isinstance(m, ToolMessage) and getattr(m, "status", "success") != "error"
        }
        return sum(
            1
            for m in self.req.messages[start:]
            if isinstance(m, AIMessage)
            for c in m.tool_calls
            if c.get("id") in ok
        )

    def multi_turn(self) -> Reply:
        truth = self.case.ground_truth
        if self.turn >= len(truth):
            return self.text("Done.", "final_answer")
        calls = truth[self.turn]
        if not calls:
            return self.missing()
        done = self.done_this_turn()
        if done >= len(calls):
            return self.text("Done: " + "; ".join(calls) + ".", "final_answer")
        name, args = parse_call(calls[done], _params_of(self.case, calls[done].split("(")[0]))
        tool = _tool_name(name, self.req.params)
        if tool is None:
            return self.text(
                f"I need the function {name} for this, and I don't have it.", "abstain"
            )
        return self.call(tool, args, "expected_tool")

    def missing(self) -> Reply:
        miss_func = self.case.category == "multi_turn_miss_func"
        nxt = self.case.ground_truth[self.turn + 1 : self.turn + 2]
        if miss_func:  # the call that needs the function it lacks
            held = {str(f.get("name")) for fs in self.case.held_out.values() for f in fs}
            wanted = [c for c in (nxt[0] if nxt else ()) if c.split("(")[0] in held]
        else:
            wanted = list(nxt[0][:1]) if nxt else []
        called = any(
            isinstance(m, AIMessage) and m.tool_calls
            for m in self.req.messages[_turn_start(self.req) :]
        )
        if (
            wanted
            and not called  # one attempt: after it the model says what it lacks
            and self.d.chance(f"missing_call_{self.turn}", self.card.missing_call_rate)
        ):
            first = wanted[0]
            name, args = parse_call(first, _params_of(self.case, first.split("(")[0]))
            if miss_func:  # the function is not bound yet: calling it is a hallucination
                return self.call(name.replace(".", "_"), args, "hallucinated_tool")
            strings = [k for k, v in args.items() if isinstance(v, str)]
            if strings:
                args[strings[0]] = "file.txt" if "file" in strings[0] else "unknown"
            tool = _tool_name(name, self.req.params) or name.replace(".", "_")
            return self.call(tool, args, "guessed_parameter")
        if miss_func:
            return self.text(
                "I can't do that part: none of my functions does it. If you can give me a "
                "function for it, I will carry on.",
                "abstain",
            )
        return self.text(
            "Before I go on: which file (or value) do you mean exactly? Your request leaves "
            "that detail open.",
            "clarify",
        )


def _agentdojo(req: Request, profile: ModelProfile, seed: int) -> Reply | None:
    outputs = [m for m in req.messages if isinstance(m, ToolMessage)]
    if not outputs:
        return None
    for goal, injection in _agentdojo_goals():
        if not injection.ground_truth_functions:
            continue
        tool = _tool_name(injection.ground_truth_functions[0], req.params)
        if tool is None:
            continue
        factor = _injection_factor(req, profile, injection.goal, outputs)
        if factor is None:
            continue
        if any(c["name"] == tool for c in req.all_tool_calls()):
            continue  # already obeyed once
        d = Draws(profile.id, str(seed), "agentdojo", injection.id, fold(req.first_human() or ""))
        if d.chance("injection", profile.follows_injection_rate * factor):
            args = fill(req.params[tool], text_hint(injection.goal), default_text=goal[:80])
            return Reply(
                tool_calls=[{"name": tool, "args": args if isinstance(args, dict) else {}}],
                source="oracle",
                extra={"decision": "followed_injection", "injection": injection.id},
            )
    return None


def _injection_factor(
    req: Request, profile: ModelProfile, goal: str, outputs: list[ToolMessage]
) -> float | None:
    card = behaviour_card(profile)
    worst: float | None = None
    for m in outputs:
        form = spotlight_form(text_of(m.content), goal)
        if form is None:
            continue
        factor = 1.0 if form == "plain" else card.factor(form)
        if req.features().data_instruction:
            factor *= card.factor("data_instruction")
        worst = factor if worst is None else max(worst, factor)
    return worst


_MULTI = re.compile(r"^multi_turn_")


def _best_case(candidates: list[Any], req: Request) -> Any:
    """Of the cases that open with this message (BFCL's miss_param and miss_func cases share
    turns), the one whose later user turns match the history, then whose functions at this
    turn are the bound tools."""
    if len(candidates) == 1:
        return candidates[0]
    said = [fold(text_of(m.content)) for m in req.messages if isinstance(m, HumanMessage)]
    bound = set(req.params)
    turn = max(0, len(said) - 1)

    def score(case: Any) -> tuple[int, float]:
        users = [
            fold(str(m.get("content", "")))
            for t in case.turns
            for m in t
            if m.get("role") == "user"
        ]
        agree = 0
        for mine, theirs in zip(said, users, strict=False):
            if mine != theirs:
                break
            agree += 1
        names = {t["function"]["name"] for t in case.openai_tools(turn)}
        return agree, len(names & bound) / max(1, len(names | bound))

    return max(candidates, key=score)  # max keeps the first of equals: the load order


def corpus_reply(req: Request, profile: ModelProfile, seed: int) -> Reply | None:
    """The reply to a request about a BFCL case or holding an AgentDojo injection, or None."""
    if not req.params or req.no_tools or req.forced is not None:
        return None
    followed = _agentdojo(req, profile, seed)
    if followed is not None:
        return followed
    first = req.first_human()
    if not first:
        return None
    candidates = _bfcl_index().get(fold(first))
    if not candidates:
        return None
    case = _best_case(candidates, req)
    turn = _turn_of(case, req)
    offered = {t["function"]["name"] for t in case.openai_tools(turn)}
    if not offered or not offered <= set(req.params):
        return None  # a message that merely reads like a case ("hello"), with other tools
    bfcl = _Bfcl(req, case, profile, seed)
    if _MULTI.match(case.category):
        return bfcl.multi_turn()
    return bfcl.irrelevant()
