"""BFCL's multi-turn cases played turn by turn, with a hook that may stop a proposed call."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from infralab.llm._request import text_of

Decide = Callable[[dict[str, Any], list[dict[str, Any]], list[str]], Mapping[str, Any]]

# A turn that is still calling after this many model replies is cut off (BFCL's longest
# ground-truth turns hold about six calls).
_MAX_REPLIES = 8

#: What the tool "returns" in a played case: BFCL's simulated file systems and APIs are not
#: executed here, only the calls are judged.
TOOL_RESULT = "ok"


def bfcl_state(case: Any) -> str:
    """The case's starting environment (BFCL's ``initial_config``) as JSON text: what the
    agent could read with its tools (file names, folders, ids)."""
    return json.dumps(case.initial_config, default=dict, sort_keys=True)


def play_bfcl(case: Any, model: Any, *, decide: Decide | None = None) -> list[dict[str, Any]]:
    """Play a BFCL multi-turn case (``multi_turn_miss_param``/``_miss_func``) turn by turn.

    Each turn the model is bound to the functions the case offers at that turn
    (``case.openai_tools(turn)``) and reads the conversation so far; every call it proposes
    goes to ``decide(call, tools, context)`` first, where ``call`` is ``{"name", "args"}``,
    ``tools`` the turn's functions in OpenAI format and ``context`` the texts the agent has
    seen (:func:`bfcl_state`, then every user message so far). A decision whose ``"action"``
    is ``"act"`` lets the call run (its result is :data:`TOOL_RESULT`); any other ends the turn
    with the decision's ``"question"`` as the agent's reply. Without ``decide`` every call runs.

    Args:
        case: a :class:`~infralab.datasets.BfclCase` of a multi-turn category.
        model: a chat model with ``bind_tools`` (the simulator answers these cases from the
            corpus, see docs/behaviour-cards.md).
        decide: the ambiguity hook, or None.

    Returns:
        One dict per turn: ``turn``; ``ambiguous`` (True when BFCL's ground truth for the turn
        is empty: a parameter or a function is missing, and no call is correct);
        ``proposed`` (each call the model proposed, with the ``context`` it was judged in and
        the ``decision``, or None without a hook); ``ran`` (the calls that ran); ``asked``
        (True when the turn ended without running every proposed call: the model answered
        in text before calling, or the hook stopped a call).
    """
    context = [bfcl_state(case)]
    history: list[BaseMessage] = []
    turns = []
    for t, messages in enumerate(case.turns):
        tools = case.openai_tools(t)
        bound = model.bind_tools(tools)
        for m in messages:
            if m.get("role") == "user":
                history.append(HumanMessage(str(m.get("content", ""))))
                context.append(str(m.get("content", "")))
        proposed: list[dict[str, Any]] = []
        ran: list[dict[str, Any]] = []
        asked = False
        for _ in range(_MAX_REPLIES):
            reply = bound.invoke(history)
            if not reply.tool_calls:
                history.append(reply)
                asked = asked or not ran
                break
            question = None
            for c in reply.tool_calls:
                call = {"name": c["name"], "args": dict(c["args"])}
                decision = None if decide is None else dict(decide(call, tools, list(context)))
                proposed.append({"call": call, "context": list(context), "decision": decision})
                if decision is not None and decision.get("action") != "act" and question is None:
                    question = str(decision.get("question", ""))
            if question is not None:
                # The call never runs: the agent's reply is the question, and the turn ends.
                history.append(AIMessage(question))
                asked = True
                break
            history.append(reply)
            for c in reply.tool_calls:
                ran.append({"name": c["name"], "args": dict(c["args"])})
                history.append(ToolMessage(TOOL_RESULT, tool_call_id=c["id"], name=c["name"]))
        turns.append(
            {
                "turn": t,
                "ambiguous": not case.ground_truth[t],
                "proposed": proposed,
                "ran": ran,
                "asked": asked,
                "answer": text_of(history[-1].content) if history else "",
            }
        )
    return turns
