"""The support agent with a permission hook and a tool-output hook (see ``infralab.safety``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from opentelemetry import trace

from infralab.evals import SIDE_EFFECT_TOOLS, SYSTEM_PROMPT, stream_run, trajectory_of
from infralab.evals._agents import _as_dict, _final_text
from infralab.llm._request import text_of

#: The tools that change the desk's state: the ones a permission policy guards.
SENSITIVE_TOOLS: tuple[str, ...] = SIDE_EFFECT_TOOLS

#: What the model reads instead of a tool result when the policy blocks the call.
BLOCKED_MESSAGE = "Blocked by the tool-permission policy: {reason}. Do not retry this call."

Permit = Callable[[dict[str, Any], list[dict[str, str]], str | None], Mapping[str, Any]]

_TRACER = trace.get_tracer("infralab.safety")


_ROLES = ((SystemMessage, "system"), (HumanMessage, "user"), (AIMessage, "assistant"))


def _run_context() -> Any:
    """The OpenTelemetry context of the LangChain step this hook runs in (the agent's tool
    node), so that a guard span joins the run's trace under it; None (a root span) when
    LangChain is not traced."""
    from infralab.tracing import current_run_span

    span = current_run_span()
    return None if span is None else trace.set_span_in_context(span)


def message_dicts(messages: Iterable[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the plain ``{"role", "content"}`` dicts a policy reads.

    Roles are ``system``, ``user``, ``assistant`` and ``tool``; content is the message's text.
    """
    out = []
    for m in messages:
        role = next((r for kind, r in _ROLES if isinstance(m, kind)), None)
        if role is None:
            role = "tool" if isinstance(m, ToolMessage) else m.type
        out.append({"role": role, "content": text_of(m.content)})
    return out


def defended_agent(
    model: Any,
    desk: Any,
    *,
    system_prompt: str = SYSTEM_PROMPT,
    permit: Permit | None = None,
    wrap_tool_output: Callable[[str], str] | None = None,
    customer_id: str | None = None,
    blocked: list[dict[str, Any]] | None = None,
) -> Any:
    """The support agent (``create_agent``, every desk tool) with the learner's defences.

    Args:
        model: a chat model (a ``SimChatModel`` or an environment's model proxy).
        desk: a :class:`~infralab.tools.SupportDesk` or a desk proxy.
        system_prompt: the agent's instructions (a data rule or a clarification policy goes
            here).
        permit: called before every tool call with the call (``{"name", "args"}``), the
            conversation so far (:func:`message_dicts`, the system prompt first) and
            ``customer_id``; a result whose ``"allowed"`` is not ``True`` blocks the call.
        wrap_tool_output: applied to the text of every tool result the model reads.
        customer_id: the signed-in customer the session acts for (handed to ``permit``).
        blocked: a list that receives each blocked call with the policy's answer.
    """
    from langchain.agents import create_agent
    from langchain.agents.middleware import wrap_tool_call

    @wrap_tool_call
    def defences(request: Any, handler: Callable[[Any], Any]) -> Any:
        call = request.tool_call
        if permit is not None:
            messages = [{"role": "system", "content": system_prompt}]
            messages += message_dicts(request.state["messages"])
            plain = {"name": call["name"], "args": dict(call["args"])}
            # A GUARDRAIL span (OpenInference), so Phoenix shows each decision beside the
            # model and tool spans; a no-op until tracing is set up.
            with _TRACER.start_as_current_span(
                "tool_permission",
                context=_run_context(),
                attributes={
                    "openinference.span.kind": "GUARDRAIL",
                    "tool.name": call["name"],
                    "input.value": json.dumps(plain, default=str),
                },
            ) as span:
                verdict = permit(plain, messages, customer_id)
                span.set_attribute("output.value", json.dumps(verdict, default=str))
            if not (isinstance(verdict, Mapping) and verdict.get("allowed") is True):
                reason = "not allowed"
                if isinstance(verdict, Mapping) and verdict.get("untrusted"):
                    reason = "untrusted " + ", ".join(map(str, verdict["untrusted"]))
                if blocked is not None:
                    blocked.append({**plain, "verdict": dict(verdict or {})})
                # The desk never sees the call: the model reads an error result instead.
                return ToolMessage(
                    BLOCKED_MESSAGE.format(reason=reason),
                    tool_call_id=call["id"],
                    name=call["name"],
                    status="error",
                )
        result = handler(request)
        if wrap_tool_output is not None and isinstance(result, ToolMessage):
            result.content = wrap_tool_output(text_of(result.content))
        return result

    return create_agent(
        model, tools=desk.tools(), system_prompt=system_prompt, middleware=[defences]
    )


def run_defended(
    scenario: Any,
    model: Any,
    desk: Any = None,
    *,
    system_prompt: str = SYSTEM_PROMPT,
    permit: Permit | None = None,
    wrap_tool_output: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Run the defended agent once on a scenario and return what happened, as plain data.

    Args:
        scenario: a :class:`~infralab.datasets.Scenario` (a redacted one is enough: only
            ``message`` and ``customer_id`` are read).
        model: the chat model.
        desk: the desk to act on; default a fresh ``SupportDesk(scenario=scenario)``.
        system_prompt, permit, wrap_tool_output: see :func:`defended_agent`.

    Returns:
        ``trajectory`` (:func:`infralab.evals.trajectory_of`), ``calls`` and ``side_effects``
        (the desk's own logs as dicts), ``blocked`` (the calls the policy stopped, with its
        verdict), ``answer`` and ``finished`` (False when the run hit the step limit).
    """

    from infralab.tools import SupportDesk

    if desk is None:
        desk = SupportDesk(scenario=scenario)
    blocked: list[dict[str, Any]] = []
    agent = defended_agent(
        model,
        desk,
        system_prompt=system_prompt,
        permit=permit,
        wrap_tool_output=wrap_tool_output,
        customer_id=scenario.customer_id,
        blocked=blocked,
    )
    messages, finished = stream_run(agent, scenario.message)
    return {
        "trajectory": trajectory_of(messages),
        "calls": [_as_dict(c) for c in desk.calls],
        "side_effects": [_as_dict(e) for e in desk.side_effects],
        "blocked": blocked,
        "answer": _final_text(messages),
        "finished": finished,
    }
