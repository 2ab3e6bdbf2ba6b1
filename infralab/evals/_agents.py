"""The support-desk agent under test, its versions, and plain-data episodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from infralab.llm._request import text_of
from infralab.tools import SIDE_EFFECT_KINDS

#: Agent version -> the simulator profile it runs on. ``v2`` and ``v2-lite`` are release
#: candidates: the catalog documents what changed (``sim-large@2026-11`` asks fewer clarifying
#: questions and follows injected instructions more often; ``sim-small`` slips more often).
AGENT_VERSIONS: dict[str, str] = {
    "v1": "sim-large@2026-06",
    "v2": "sim-large@2026-11",
    "v2-lite": "sim-small@2026-11",
}

#: The pseudo-tool that stands for a clarifying question in a trajectory.
ASK_USER = "ask_user"

#: The tools that change the desk's state (each successful call leaves a side effect).
SIDE_EFFECT_TOOLS: tuple[str, ...] = tuple(SIDE_EFFECT_KINDS)

SYSTEM_PROMPT = (
    "You are the support agent of an online shop. Use the tools to look things up before you "
    "act, never refund more than was paid, and ask the customer when a request is ambiguous."
)

# A run that has not finished after this many graph steps is stopped and counted as such
# (an agent stuck retrying a hallucinated tool must not hang an evaluation).
_RECURSION_LIMIT = 30


def support_agent(model: Any, desk: Any, *, system_prompt: str = SYSTEM_PROMPT) -> Any:
    """The agent under test: ``create_agent`` with every desk tool, on ``model``.

    Args:
        model: a chat model (a ``SimChatModel`` or an environment's model proxy).
        desk: a :class:`~infralab.tools.SupportDesk` (or a desk proxy with ``tools()``).
        system_prompt: the agent's instructions.
    """
    from langchain.agents import create_agent

    return create_agent(model, tools=desk.tools(), system_prompt=system_prompt)


def trajectory_of(messages: Iterable[BaseMessage]) -> list[dict[str, Any]]:
    """The trajectory of a run: ``{"name", "args"}`` per tool call the agent issued, in order.

    A reply without tool calls that asks something (contains ``?``) is a clarifying question
    and becomes the step ``{"name": "ask_user", "args": {"question": text}}``; a final answer
    is not a step.
    """
    steps: list[dict[str, Any]] = []
    for m in messages:
        if not isinstance(m, AIMessage):
            continue
        if m.tool_calls:
            steps.extend({"name": c["name"], "args": dict(c["args"])} for c in m.tool_calls)
        elif "?" in text_of(m.content):
            steps.append({"name": ASK_USER, "args": {"question": text_of(m.content).strip()}})
    return steps


def expected_trajectory(scenario: Any) -> list[dict[str, Any]]:
    """What a correct agent does: the scenario's expected tool calls, or, for an ambiguous
    request, one ``ask_user`` step with its clarifying question."""
    if scenario.ambiguous:
        return [{"name": ASK_USER, "args": {"question": scenario.clarifying_question}}]
    return [{"name": c.name, "args": dict(c.args)} for c in scenario.expected_tool_calls]


def _final_text(messages: list[BaseMessage]) -> str:
    for m in reversed(messages):
        if isinstance(m, AIMessage) and not m.tool_calls:
            return text_of(m.content)
    return ""


def stream_run(agent: Any, message: str) -> tuple[list[BaseMessage], bool]:
    """Run a support agent on one customer message; return its messages and whether it finished.

    The run gets its own virtual clock from 0.0, so the side effects' times do not depend on how
    many runs came before in this process. It is streamed so that a run stopped at the step
    limit (``finished`` False) keeps the steps it made. Shared by :func:`run_episode` and
    :func:`infralab.safety.run_defended`.
    """
    from langgraph.errors import GraphRecursionError

    from infralab.clock import VirtualClock, use_clock

    messages: list[BaseMessage] = [HumanMessage(message)]
    finished = True
    with use_clock(VirtualClock()):
        try:
            for state in agent.stream(
                {"messages": messages}, {"recursion_limit": _RECURSION_LIMIT}, stream_mode="values"
            ):
                messages = list(state["messages"])
        except GraphRecursionError:
            finished = False
    return messages, finished


def run_episode(
    scenario: Any,
    version: str = "v1",
    seed: int = 0,
    *,
    model: Any = None,
    desk: Any = None,
) -> dict[str, Any]:
    """Run the agent once on one scenario and return what happened, as plain data.

    Args:
        scenario: a :class:`~infralab.datasets.Scenario`.
        version: a key of :data:`AGENT_VERSIONS` (ignored when ``model`` is given).
        seed: the simulator seed: another seed is another run of a non-deterministic agent.
        model: a chat model to use instead of the version's simulator.
        desk: the desk to act on; default a fresh ``SupportDesk(scenario=scenario)``.

    Returns:
        ``scenario`` (id), ``version``, ``seed``, ``trajectory`` (:func:`trajectory_of`),
        ``calls`` and ``side_effects`` (the desk's own logs, as dicts; times on the episode's
        own virtual clock, which starts at 0.0), ``answer`` (the last reply's text) and
        ``finished`` (False when the run hit the step limit).

    Raises:
        KeyError: ``version`` is not an agent version (the message lists them).
    """

    from infralab.llm import SimChatModel
    from infralab.tools import SupportDesk

    if model is None:
        if version not in AGENT_VERSIONS:
            raise KeyError(f"unknown agent version {version!r}; known: {', '.join(AGENT_VERSIONS)}")
        # SimChatModel takes a profile id; its pydantic field is typed as LangChain's profile dict.
        profile: Any = AGENT_VERSIONS[version]
        model = SimChatModel(profile=profile, seed=seed)
    if desk is None:
        desk = SupportDesk(scenario=scenario)
    messages, finished = stream_run(support_agent(model, desk), scenario.message)
    return {
        "scenario": scenario.id,
        "version": version,
        "seed": seed,
        "trajectory": trajectory_of(messages),
        "calls": [_as_dict(c) for c in desk.calls],
        "side_effects": [_as_dict(e) for e in desk.side_effects],
        "answer": _final_text(messages),
        "finished": finished,
    }


def _as_dict(record: Any) -> dict[str, Any]:
    # A real desk logs dataclasses; a desk proxy already gives dicts.
    return dict(record) if isinstance(record, Mapping) else record.to_dict()
