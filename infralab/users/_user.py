"""``SimulatedUser``: a customer driven by a scenario's ground truth, for multi-turn labs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, convert_to_messages

from infralab.datasets._schema import fold
from infralab.llm._draw import Draws
from infralab.llm._request import text_of
from infralab.users._goal import (
    GENERIC_SUMMARY,
    UserGoal,
    alternatives,
    derive_goal,
    get_field,
)

__all__ = [
    "SimulatedUser",
    "DEFAULT_VAGUENESS",
    "DEFAULT_CHANGES_MIND",
    "DEFAULT_PATIENCE",
    "asked_slots",
]

#: Chance that an answer to a question about a held-back detail leaves the detail out.
DEFAULT_VAGUENESS = 0.2
#: Chance that a conversation's user changes its mind once (when its goal has an alternative).
DEFAULT_CHANGES_MIND = 0.1
#: Turns without progress the user sits through; on the last of them it gives up.
DEFAULT_PATIENCE = 3

# Which detail a question asks for: first match wins, most specific first.
_SLOT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "new_email",
        re.compile(r"\bnew\s+(?:e-?mail|login)|e-?mail[^?]*\b(?:use|switch|change)\s+to\b"),
    ),
    ("address", re.compile(r"\b(?:new|shipping|postal|delivery|home)\s+address\b")),
    ("tier", re.compile(r"\b(?:plan|tier|subscription)\b")),
    ("error", re.compile(r"\b(?:error|status code|http code|endpoint|response code)\b")),
    ("tracking_number", re.compile(r"\btracking\b")),
    (
        "order_id",
        re.compile(r"\border\s*(?:number|no\.?|id|#)|\bwhich\s+(?:order|purchase|package)\b"),
    ),
    ("amount", re.compile(r"\b(?:amount|how much)\b")),
    ("email", re.compile(r"\be-?mail\b")),
    ("customer_id", re.compile(r"\b(?:customer|account)\s+(?:id|number)\b")),
)

_QUESTION = re.compile(
    r"\?|^\s*(?:could|can|would|please)\s+(?:you\s+)?(?:share|tell|give|send|provide|confirm)",
    re.I | re.M,
)


def asked_slots(text: str) -> list[str]:
    """The details a message asks for (``["order_id"]``), or ``[]`` when it asks nothing.

    Only sentences that are questions (end in ``?`` or ask to share/tell/give...) count, so a
    final answer that mentions "your order" is not mistaken for a question.
    """
    found: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if not _QUESTION.search(sentence):
            continue
        low = sentence.lower()
        for slot, pattern in _SLOT_PATTERNS:
            if pattern.search(low):
                if slot not in found:
                    found.append(slot)
                break
    return found


_ANSWER = {
    "order_id": ("It's order {order_id}.", "The order number is {order_id}.", "{order_id}."),
    "error": (
        "We get {error} from {endpoint}.",
        "The calls to {endpoint} return {error}.",
        "It's a {code} error on {endpoint}.",
    ),
    "tier": ("The {tier} plan, please.", "I'd like {tier}.", "Move me to {tier}, please."),
    "new_email": ("The new one is {new_email}.", "Please use {new_email}.", "{new_email}."),
    "email": ("My e-mail is {email}.", "It's {email}.", "{email}."),
    "amount": ("It was {amount}.", "The amount is {amount}.", "{amount}."),
    "tracking_number": ("The tracking number is {tracking_number}.", "It's {tracking_number}."),
    "address": ("The new address is {address}.", "{address}."),
    "customer_id": ("My customer id is {customer_id}.",),
}
_VAGUE = {
    "order_id": (
        "It's the one I ordered a while ago, I don't have the number at hand.",
        "Hmm, the recent one? I'm not sure which number it was.",
        "You should be able to see it on my account, no?",
    ),
    "error": (
        "It just says something failed. It's broken, that's all I know.",
        "Some error, I don't know which. Can't you see it on your side?",
    ),
    "tier": ("A better one, I guess. What do you have?", "Whatever fits us better."),
    "new_email": ("My new work address, the usual format.", "I'll use my new one from now on."),
    "email": ("The one on my account.", "The usual one."),
}
_VAGUE_DEFAULT = ("I'm not sure, sorry.", "I don't remember exactly.")
_NUDGE = (
    "That doesn't answer my question. I still need {summary}.",
    "Sorry, but that doesn't help. I want {summary}.",
    "Can you please just deal with it? I'm asking for {summary}.",
)
_ALREADY = ("As I said: {value}.", "I already told you: {value}.")
_UNKNOWN = ("I don't know that, sorry.", "I have no idea what that is.")
_THANKS = ("Thanks, that's all I needed!", "Great, thank you.", "Perfect, thanks for the help.")
_CHANGE = ("Actually, I've changed my mind. {say}", "Sorry, one more thing: {say}")


def _resolve_scenario(scenario: Any) -> Any:
    if isinstance(scenario, str):
        from infralab.datasets import load_scenarios

        for s in load_scenarios():
            if s.id == scenario:
                return s
        raise LookupError(f"no scenario with id {scenario!r}")
    return scenario


def _messages(messages: Any) -> list[BaseMessage]:
    if isinstance(messages, BaseMessage | str | Mapping):
        messages = [messages]
    return list(convert_to_messages(list(messages)))


def _check_rate(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return float(value)


class SimulatedUser:
    """A customer who talks to an agent, driven by a scenario's ground truth.

    The user opens with the scenario's message and then answers each assistant turn with
    :meth:`reply`. Its behaviour, every part a deterministic draw of blake2b(scenario id,
    seed, turn, purpose) (:class:`infralab.llm._draw.Draws`), never global state:

    ==================  =====================================================================
    behaviour           rule (rates documented as module constants)
    ==================  =====================================================================
    answers questions   a question (a sentence ending in ``?``) that asks for a detail the
                        user holds (order id, e-mail, plan, error, new e-mail...) is answered
                        with it; a held-back detail (``goal.held_back``, what an ambiguous
                        request leaves out) is given only when asked
    vague               with probability ``vagueness`` (default 0.2) per answer to a
                        held-back detail, the reply leaves the detail out ("the recent
                        one?"); asking again is fair, and gets a fresh draw
    changes its mind    with probability ``changes_mind`` (default 0.1) per conversation, once,
                        at its first reply after every held-back detail has been given (the
                        first reply of a plain scenario): another order, a return label
                        instead of a refund, another plan, e-mail or error;
                        ``user.goal`` becomes the new ground truth (``user.goals`` keeps
                        the history). Goals with no alternative never change
    patience            a turn *progresses* when the assistant asks for a detail the user has
                        not given yet, makes an expected tool call it had not made, or
                        states every fact of the goal (in a statement, not a question, once
                        the held-back details are given: the user thanks it and is ``done``). A turn that does none of these (a question about
                        something already said or unknown, an answer without the facts)
                        does not; at the ``patience``-th such turn the user gives up:
                        :meth:`reply` returns None and ``gave_up`` is True
    ==================  =====================================================================

    Args:
        scenario: a :class:`~infralab.datasets.Scenario` (or its id, or plain data with its
            fields).
        seed: varies the user's behaviour (not the goal: that is the scenario's).
        patience: unproductive assistant turns tolerated, the last one included (>= 1).
        vagueness: see the table.
        changes_mind: see the table.
        world: the world dict the goal is derived from (default: the support-desk world).

    Attributes:
        goal: the current :class:`UserGoal` (multi-turn ground truth).
        goals: every goal the user had, the first one first.
        gave_up / done: the conversation ended without / with success.
        turn: replies given so far (the opening message is turn 0).
        events: ``{"turn", "kind", ...}`` dicts, one per thing the user did (``answer``,
            ``vague``, ``change_mind``, ``nudge``, ``already_said``, ``unknown``,
            ``progress``, ``resolved``, ``gave_up``).

    Example:
        >>> from langchain_core.messages import AIMessage
        >>> user = SimulatedUser("sd-0055", seed=1, vagueness=0.0, changes_mind=0.0)
        >>> user.goal.held_back
        ('order_id',)
        >>> user.reply([user.opening(), AIMessage(content=user.scenario.clarifying_question)])
        'The order number is O10145.'
    """

    def __init__(
        self,
        scenario: Any,
        *,
        seed: int = 0,
        patience: int = DEFAULT_PATIENCE,
        vagueness: float = DEFAULT_VAGUENESS,
        changes_mind: float = DEFAULT_CHANGES_MIND,
        world: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an int, got {seed!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be an int >= 1, got {patience!r}")
        self.scenario = _resolve_scenario(scenario)
        self.seed = seed
        self.patience = patience
        self.vagueness = _check_rate("vagueness", vagueness)
        self.changes_mind = _check_rate("changes_mind", changes_mind)
        self.scenario_id = str(get_field(self.scenario, "id", ""))
        self.message = str(get_field(self.scenario, "message", ""))
        self._customer_id = get_field(self.scenario, "customer_id", None)
        self._world = world
        self.goal: UserGoal = derive_goal(self.scenario, world)
        self.goals: list[UserGoal] = [self.goal]
        self._draws = Draws("user", self.scenario_id, str(seed))
        options = alternatives(self.goal, self._customer_id, world)
        self._change = None
        if options and self._draws.chance("change_mind", self.changes_mind):
            self._change = options[self._draws.index("change_pick", len(options))]
        self.revealed: set[str] = {
            s for s, v in self.goal.slots.items() if s not in self.goal.held_back and v
        }
        self.turn = 0
        self.unproductive = 0
        self.gave_up = False
        self.done = False
        self.changed_mind = False
        self.events: list[dict[str, Any]] = []
        self._seen_calls: set[str] = set()

    def __repr__(self) -> str:
        return f"SimulatedUser({self.scenario_id!r}, seed={self.seed})"

    # -- the conversation --------------------------------------------------------------

    def opening(self) -> HumanMessage:
        """The first message: the scenario's own text (so the scenario oracle knows it)."""
        return HumanMessage(content=self.message)

    @property
    def finished(self) -> bool:
        """True once the user is ``done`` or ``gave_up``: :meth:`reply` then returns None."""
        return self.done or self.gave_up

    def reply(self, messages: Sequence[BaseMessage] | Any) -> str | None:
        """The user's answer to the assistant's last turn, or None when the user gives up.

        Args:
            messages: the conversation so far (LangChain messages, or dicts / tuples that
                ``convert_to_messages`` accepts); the assistant's turn is everything after
                the last human message.

        Returns:
            the user's next message; None when the conversation is over for the user
            (it gave up now or earlier, or it was already ``done``).
        """
        if self.finished:
            return None
        history = _messages(messages)
        last_human = max(
            (i for i, m in enumerate(history) if isinstance(m, HumanMessage)), default=-1
        )
        turn_msgs = history[last_human + 1 :]
        self.turn += 1
        d = self._draws.child("turn", str(self.turn))
        texts = [
            text_of(m.content)
            for m in turn_msgs
            if isinstance(m, AIMessage) and text_of(m.content).strip()
        ]
        said = "\n".join(texts)
        new_calls = self._new_expected_calls(turn_msgs)
        parts: list[str] = []

        # 1. A change of mind, once, at the first reply after every held-back slot was given.
        if (
            self._change is not None
            and not self.changed_mind
            and all(s in self.revealed for s in self.goal.held_back)
        ):
            change = self._change
            self.changed_mind = True
            self.goal = change.goal
            self.goals.append(change.goal)
            self.revealed |= set(change.goal.slots)
            self._event("change_mind", change=change.kind, goal=change.goal.summary)
            parts.append(self._pick(d, "change", _CHANGE).format(say=change.say))
            for slot in asked_slots(said):
                value = self.goal.slots.get(slot)
                if value and value not in change.say:
                    parts.append(self._answer(d, slot))
            return " ".join(parts)

        # 2. Resolved: every fact of the goal is in the assistant's statements (questions
        # do not count: "free, pro or business?" names the plan but does not change it).
        statements = " ".join(
            s for s in re.split(r"(?<=[.!?])\s+", said) if not _QUESTION.search(s)
        )
        if (
            statements
            and all(s in self.revealed for s in self.goal.held_back)
            and self._mentions_facts(statements)
        ):
            self.done = True
            self._event("resolved")
            return self._pick(d, "thanks", _THANKS)

        # 3. Questions about details.
        progress = bool(new_calls)
        for slot in asked_slots(said):
            if slot not in self.goal.slots:
                parts.append(self._pick(d, f"unknown:{slot}", _UNKNOWN))
                self._event("unknown", slot=slot)
            elif slot in self.revealed:
                value = self.goal.slots[slot]
                parts.append(self._pick(d, f"already:{slot}", _ALREADY).format(value=value))
                self._event("already_said", slot=slot)
            elif slot in self.goal.held_back and d.chance(f"vague:{slot}", self.vagueness):
                parts.append(self._pick(d, f"vague:{slot}", _VAGUE.get(slot, _VAGUE_DEFAULT)))
                self._event("vague", slot=slot)
                progress = True
            else:
                parts.append(self._answer(d, slot))
                self.revealed.add(slot)
                self._event("answer", slot=slot)
                progress = True
        if progress:
            if not parts:  # tools were used but the answer is not there yet
                parts.append("OK. So what did you find?")
                self._event("progress")
            return " ".join(parts)

        # 4. No progress.
        self.unproductive += 1
        if self.unproductive >= self.patience:
            self.gave_up = True
            self._event("gave_up")
            return None
        summary = self.goal.summary
        if not all(s in self.revealed for s in self.goal.held_back):
            summary = GENERIC_SUMMARY.get(self.goal.intent, self.goal.intent.replace("_", " "))
        nudge = self._pick(d, "nudge", _NUDGE).format(summary=summary)
        parts.append(nudge)
        self._event("nudge")
        return " ".join(parts)

    # -- helpers -----------------------------------------------------------------------

    def _event(self, kind: str, **extra: Any) -> None:
        self.events.append({"turn": self.turn, "kind": kind, **extra})

    @staticmethod
    def _pick(d: Draws, purpose: str, options: Sequence[str]) -> str:
        return options[d.index(purpose, len(options))]

    def _answer(self, d: Draws, slot: str) -> str:
        template = self._pick(d, f"answer:{slot}", _ANSWER.get(slot, ("{" + slot + "}.",)))
        try:
            return template.format(**self.goal.slots)
        except KeyError:
            return f"{self.goal.slots[slot]}."

    def _mentions_facts(self, text: str) -> bool:
        folded = fold(text)
        facts = [fold(f) for f in self.goal.answer_facts if f.strip()]
        return bool(facts) and all(f in folded for f in facts)

    def _new_expected_calls(self, turn_msgs: list[BaseMessage]) -> list[str]:
        expected = {_call_key(c["name"], c["args"]) for c in self.goal.expected_tool_calls}
        new: list[str] = []
        for m in turn_msgs:
            if isinstance(m, AIMessage):
                for c in m.tool_calls:
                    key = _call_key(c["name"], c.get("args") or {})
                    if key in expected and key not in self._seen_calls:
                        self._seen_calls.add(key)
                        new.append(key)
        return new

    # -- the oracle view ---------------------------------------------------------------

    def scenario_view(self) -> dict[str, Any]:
        """The scenario as the user's current goal makes it, as plain data.

        Until the held-back details are given, ``expected_tool_calls`` and ``answer_facts``
        are empty (acting before asking cannot be right); afterwards they are the goal's.
        """
        known = all(s in self.revealed for s in self.goal.held_back)
        base = get_field(self.scenario, "to_dict", None)
        data = dict(base()) if callable(base) else dict(self.scenario)
        data["expected_tool_calls"] = (
            [{"name": c["name"], "args": dict(c["args"])} for c in self.goal.expected_tool_calls]
            if known
            else []
        )
        data["answer_facts"] = list(self.goal.answer_facts) if known else []
        return data

    def as_oracle(self) -> Callable[[Any], dict[str, Any] | None]:
        """An ``oracle=`` for :class:`~infralab.llm.SimChatModel` that answers from this user's
        current goal (see :meth:`scenario_view`), so the simulated model acts on details the
        user gave in later turns and follows a change of mind."""
        key = fold(self.message)

        def oracle(text: Any) -> dict[str, Any] | None:
            if isinstance(text, str) and fold(text) == key:
                return self.scenario_view()
            return None

        return oracle


def _call_key(name: str, args: Mapping[str, Any]) -> str:
    from infralab.llm._draw import canonical

    return canonical([name, dict(args)])
