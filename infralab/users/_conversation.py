"""``run_conversation``: an agent and a simulated user take turns until one of them is done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import Runnable

from infralab.llm._request import text_of
from infralab.users._user import SimulatedUser

__all__ = ["run_conversation", "DEFAULT_MAX_TURNS"]

#: Assistant turns before ``run_conversation`` stops a conversation that is still going.
DEFAULT_MAX_TURNS = 8


def _is_graph(agent: Any) -> bool:
    """A LangGraph graph (``create_agent``, a compiled ``StateGraph``): takes ``{"messages"}``."""
    return hasattr(agent, "get_graph") and hasattr(agent, "stream_mode")


def _same(a: BaseMessage, b: BaseMessage) -> bool:
    return a.type == b.type and a.content == b.content


def _new_messages(out: Any, history: list[BaseMessage]) -> list[BaseMessage]:
    if isinstance(out, dict) and "messages" in out:
        out = out["messages"]
    if isinstance(out, str):
        return [AIMessage(content=out)]
    if isinstance(out, BaseMessage):
        return [out]
    if isinstance(out, Sequence):
        from langchain_core.messages import convert_to_messages

        msgs = list(convert_to_messages(list(out)))
        n = len(history)
        if len(msgs) >= n and all(_same(a, b) for a, b in zip(msgs[:n], history, strict=True)):
            return msgs[n:]  # the agent returned the whole conversation (a graph's state)
        return msgs
    raise TypeError(
        "the agent must return a str, a message, a list of messages or a dict with "
        f"'messages', got {type(out).__name__}"
    )


def _call_agent(agent: Any, history: list[BaseMessage]) -> list[BaseMessage]:
    if isinstance(agent, Runnable):
        out = agent.invoke({"messages": list(history)} if _is_graph(agent) else list(history))
    elif callable(agent):
        out = agent(list(history))
    else:
        raise TypeError(f"agent must be a Runnable or a callable, got {type(agent).__name__}")
    return _new_messages(out, history)


def message_record(m: BaseMessage) -> dict[str, Any]:
    """One message as plain data: ``role``, ``content`` and, where present, tool calls."""
    role = {
        HumanMessage: "user",
        AIMessage: "assistant",
        ToolMessage: "tool",
        SystemMessage: "system",
    }.get(type(m), m.type)
    rec: dict[str, Any] = {"role": role, "content": text_of(m.content)}
    if isinstance(m, AIMessage):
        if m.tool_calls:
            rec["tool_calls"] = [
                {"name": c["name"], "args": dict(c.get("args") or {}), "id": c.get("id")}
                for c in m.tool_calls
            ]
        model = (m.response_metadata or {}).get("model_name")
        if model:
            rec["model"] = model
    if isinstance(m, ToolMessage):
        rec["tool_call_id"] = m.tool_call_id
        if m.name:
            rec["name"] = m.name
    return rec


def run_conversation(
    agent: Runnable[Any, Any] | Callable[[list[BaseMessage]], Any],
    user: SimulatedUser,
    *,
    max_turns: int = DEFAULT_MAX_TURNS,
) -> dict[str, Any]:
    """Alternate ``agent`` and ``user`` from the user's opening message; return a transcript.

    Each assistant turn hands the agent the whole conversation and appends what it returns;
    the user then answers with :meth:`SimulatedUser.reply`. The conversation ends when the
    user is done (thanked the agent), gives up, or after ``max_turns`` assistant turns.

    Args:
        agent: one of
            - a LangGraph graph (``create_agent``, a compiled ``StateGraph`` with a
              ``messages`` key): invoked with ``{"messages": [...]}``; the messages it adds
              to the state are the turn;
            - any other Runnable (a chat model, ``model.bind_tools(...)``, a chain):
              invoked with the message list; it returns an ``AIMessage`` (or a str or list);
            - a callable ``fn(messages) -> str | AIMessage | list[BaseMessage]``.
        user: the :class:`SimulatedUser` (it keeps its state: use a fresh one per run).
        max_turns: assistant turns at most (>= 1).

    Returns:
        plain data (JSON-serializable): ``scenario_id``, ``seed``, ``outcome``
        (``"resolved"``, ``"gave_up"`` or ``"max_turns"``), ``assistant_turns``,
        ``user_turns``, ``messages`` (``{"role", "content", "tool_calls"?, ...}``),
        ``events`` (the user's, see :class:`SimulatedUser`), ``goal`` (the final ground
        truth) and ``initial_goal``, ``changed_mind``, ``gave_up``, ``resolved``.
    """
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
        raise ValueError(f"max_turns must be an int >= 1, got {max_turns!r}")
    history: list[BaseMessage] = [user.opening()]
    turns = 0
    while turns < max_turns and not user.finished:
        history.extend(_call_agent(agent, history))
        turns += 1
        text = user.reply(history)
        if text is None:
            break
        history.append(HumanMessage(content=text))
    outcome = "resolved" if user.done else "gave_up" if user.gave_up else "max_turns"
    return {
        "scenario_id": user.scenario_id,
        "seed": user.seed,
        "outcome": outcome,
        "assistant_turns": turns,
        "user_turns": user.turn,
        "messages": [message_record(m) for m in history],
        "events": [dict(e) for e in user.events],
        "goal": user.goal.to_dict(),
        "initial_goal": user.goals[0].to_dict(),
        "changed_mind": user.changed_mind,
        "gave_up": user.gave_up,
        "resolved": user.done,
    }
