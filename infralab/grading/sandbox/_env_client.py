"""The learner's side of the trusted environment: proxies that reach it over a narrow channel.

A grade cell builds an :class:`~infralab.grading.Environment` (simulator, tool desk, fault plan,
clock) where learner code never runs: in the judge under ``infralab grade``, in-process in a
learner's own kernel. It hands the learner's code *references* to it (the handle's ``repr``,
pasted into a probe snippet). Here such a reference becomes a proxy:

- :class:`RemoteChatModel`: a real LangChain chat model (a ``SimChatModel`` subclass, so
  ``bind_tools`` and ``with_structured_output`` behave exactly as the simulator's) whose calls
  run on the trusted side;
- :class:`RemoteClock`: a :class:`~infralab.clock.Clock` whose ``now`` and ``sleep`` are the
  environment's;
- :class:`RemoteDesk`: a support desk whose tools run on the trusted desk;
- a redacted :class:`~infralab.datasets.Scenario` (id, customer and message only: no ground
  truth crosses to the learner's side).

Every request is plain JSON, through the same code path in both places: under grading the
channel is the worker's pipe to the judge; in a kernel it is a direct call to the local
environment, after the same JSON round trip. So a lab behaves the same in both.
Nothing here is trusted: learner code may patch it at will. The judge grades only from the
environment's own logs, on its side.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "ref",
    "set_channel",
    "EnvError",
    "RemoteChatModel",
    "RemoteClock",
    "RemoteDesk",
    "encode_error",
    "decode_error",
]

Channel = Callable[[dict[str, Any]], dict[str, Any]]

# The worker installs its pipe here; in a kernel it stays None and requests go to the local
# environments (``infralab.grading.grade._env``), after a JSON round trip.
_channel: Channel | None = None
_proxies: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


class EnvError(RuntimeError):
    """The trusted environment refused a request (bad arguments, unknown handle)."""


def set_channel(channel: Channel | None) -> None:
    """Route environment requests through ``channel`` (the grading worker does this)."""
    global _channel
    _channel = channel


def _call(env: str, request: dict[str, Any]) -> dict[str, Any]:
    message = json.loads(json.dumps({"env": env, **request}))  # plain data, as on the pipe
    if _channel is not None:
        reply = _channel(message)
    else:
        from infralab.grading.grade._env import dispatch_local

        reply = json.loads(json.dumps(dispatch_local(message)))
    if not isinstance(reply, dict):
        raise EnvError("malformed reply from the environment")
    if reply.get("ok") is not True:
        exc = decode_error(reply.get("error"))
        exc._elapsed = reply.get("elapsed", 0.0)  # type: ignore[attr-defined]
        raise exc
    return reply


# --------------------------------------------------------------------------- errors
_BUILTIN_ERRORS: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "TypeError": TypeError,
    "KeyError": KeyError,
}


def encode_error(exc: BaseException) -> dict[str, Any]:
    """An exception as JSON data: provider errors keep their class and fields."""
    from infralab.llm import errors

    name = type(exc).__name__
    if isinstance(exc, errors.ProviderError) and getattr(errors, name, None) is type(exc):
        state = {
            k: v
            for k, v in vars(exc).items()
            if isinstance(v, str | int | float | bool | type(None))
        }
        return {"type": name, "message": exc.message, "state": state}
    if name in _BUILTIN_ERRORS and type(exc) is _BUILTIN_ERRORS[name]:
        return {"type": name, "message": str(exc)}
    return {"type": "EnvError", "message": f"{name}: {exc}"[:2000]}


def decode_error(data: Any) -> Exception:
    """The exception :func:`encode_error` described (``EnvError`` for anything else)."""
    from infralab.llm import errors

    if not isinstance(data, dict):
        return EnvError(str(data)[:2000])
    name, message = str(data.get("type")), str(data.get("message", ""))
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, errors.ProviderError) and name in errors.__all__:
        raw = data.get("state")
        state: dict[str, Any] = raw if isinstance(raw, dict) else {}
        exc = cls.__new__(cls)
        exc.__dict__.update(state)
        exc.message = message
        Exception.__init__(exc, message)
        return exc
    if name in _BUILTIN_ERRORS:
        return _BUILTIN_ERRORS[name](message)
    return EnvError(message)


# --------------------------------------------------------------------------- references
def ref(env: str, handle: int, kind: str, spec: dict[str, Any]) -> Any:
    """The proxy for handle ``handle`` of environment ``env`` (one per handle per process).

    This is what a handle's ``repr`` calls, so a grade cell can write ``f"... {model} ..."``
    into a probe snippet.
    """
    key = (env, handle)
    with _lock:
        proxy = _proxies.get(key)
        if proxy is None:
            proxy = _build(env, handle, kind, spec)
            _proxies[key] = proxy
        return proxy


def _build(env: str, handle: int, kind: str, spec: dict[str, Any]) -> Any:
    if kind == "clock":
        return RemoteClock(env, handle)
    if kind == "model":
        return RemoteChatModel.connect(env, handle, spec)
    if kind == "desk":
        scenario = spec.get("scenario")
        return RemoteDesk(env, handle, _scenario(scenario) if scenario else None)
    if kind == "scenario":
        return _scenario(spec)
    if kind == "slot":
        return _Slot()
    raise EnvError(f"unknown environment handle kind {kind!r}")


class _Slot:
    """A namespace that lives in the learner's process across probes (e.g. a drill's chain)."""

    def __repr__(self) -> str:
        return f"<slot {sorted(vars(self))}>"


def _scenario(spec: dict[str, Any]) -> Any:
    """A Scenario with only what a customer would say: no route, tool calls or facts."""
    from infralab.datasets import Scenario

    return Scenario(
        id=str(spec["id"]),
        customer_id=str(spec["customer_id"]),
        message=str(spec["message"]),
        route="",
        intent="",
        expected_tool_calls=(),
        answer_facts=(),
        ambiguous=False,
        clarifying_question=None,
        injection=None,
        split=str(spec.get("split", "")),
    )


# --------------------------------------------------------------------------- clock
def _clock_class() -> type:
    from infralab.clock import Clock

    class _RemoteClock(Clock):
        """The environment's virtual clock, read and advanced on the trusted side."""

        def __init__(self, env: str, handle: int) -> None:
            self.env, self.handle = env, handle

        def now(self) -> float:
            return float(_call(self.env, {"op": "clock.now", "handle": self.handle})["value"])

        def sleep(self, seconds: float) -> None:
            seconds = self._check_duration(seconds)
            _call(self.env, {"op": "clock.sleep", "handle": self.handle, "seconds": seconds})

        async def asleep(self, seconds: float) -> None:
            self.sleep(seconds)

        def time_ns(self) -> int:
            return int(_call(self.env, {"op": "clock.time_ns", "handle": self.handle})["value"])

        def __repr__(self) -> str:
            return f"RemoteClock(now={self.now():.3f})"

    return _RemoteClock


def RemoteClock(env: str, handle: int) -> Any:  # noqa: N802 - a class built lazily
    """A clock on the trusted side (built lazily so importing this module stays cheap)."""
    global _REMOTE_CLOCK
    if _REMOTE_CLOCK is None:
        _REMOTE_CLOCK = _clock_class()
    return _REMOTE_CLOCK(env, handle)


_REMOTE_CLOCK: Any = None


def _sleep_locally(env: str, seconds: float) -> None:
    """Let the caller's own clock see a call's latency, unless it is the environment's."""
    from infralab.clock import current_clock

    clock = current_clock()
    if getattr(clock, "env", None) == env or not seconds or not math.isfinite(seconds):
        return
    clock.sleep(seconds)


# --------------------------------------------------------------------------- model
_KWARGS = (
    "tools",
    "tool_choice",
    "response_format",
    "response_schema",
    "max_tokens",
    "max_completion_tokens",
    "parallel_tool_calls",
)


def _forwarded(model: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call options sent to the trusted side: the call's own, plus the output cap set on
    the proxy itself (``max_tokens`` field), which the trusted model would otherwise not see.
    A call's ``max_tokens`` or ``max_completion_tokens`` wins, as in ``SimChatModel``."""
    sent = {k: kwargs[k] for k in _KWARGS if kwargs.get(k) is not None}
    cap = model.max_tokens
    if cap is not None and "max_tokens" not in sent and "max_completion_tokens" not in sent:
        sent["max_tokens"] = cap
    return sent


def _model_class() -> type:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import messages_from_dict, messages_to_dict
    from langchain_core.outputs import ChatGeneration, ChatResult

    from infralab.llm import SimChatModel

    class _RemoteChatModel(SimChatModel):
        """A simulator model whose every call runs in the trusted environment."""

        infralab_env: str = ""
        infralab_handle: int = 0

        # Streaming falls back to one whole message (LangChain's default without _stream).
        _stream = BaseChatModel._stream  # type: ignore[assignment]
        _astream = BaseChatModel._astream  # type: ignore[assignment]

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
            request = {
                "op": "model.generate",
                "handle": self.infralab_handle,
                "messages": messages_to_dict(list(messages)),
                "stop": list(stop) if stop else None,
                "kwargs": _forwarded(self, kwargs),
            }
            try:
                reply = _call(self.infralab_env, request)
            except Exception as exc:
                _sleep_locally(self.infralab_env, float(getattr(exc, "_elapsed", 0.0)))
                raise
            _sleep_locally(self.infralab_env, float(reply.get("elapsed", 0.0)))
            (message,) = messages_from_dict([reply["message"]])
            return ChatResult(generations=[ChatGeneration(message=message)])

        async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
            return self._generate(messages, stop, None, **kwargs)

    return _RemoteChatModel


_REMOTE_MODEL: Any = None


class RemoteChatModel:
    """Factory for the remote model class (a ``SimChatModel`` subclass, built lazily)."""

    @staticmethod
    def connect(env: str, handle: int, spec: dict[str, Any]) -> Any:
        global _REMOTE_MODEL
        if _REMOTE_MODEL is None:
            _REMOTE_MODEL = _model_class()
        from infralab.llm import ModelProfile

        profile = ModelProfile(**spec["profile"])
        return _REMOTE_MODEL(
            profile=profile,
            seed=int(spec.get("seed", 0)),
            infralab_env=env,
            infralab_handle=handle,
            oracle=False,
        )


# --------------------------------------------------------------------------- desk
class RemoteDesk:
    """A support desk whose tools run on the trusted desk (same names, schemas and outputs).

    ``calls`` and ``side_effects`` are read back from the trusted desk as plain dicts.
    """

    def __init__(self, env: str, handle: int, scenario: Any) -> None:
        self.env, self.handle, self.scenario = env, handle, scenario
        self._tools: dict[str, Any] = {}

    def __repr__(self) -> str:
        sc = self.scenario.id if self.scenario else None
        return f"RemoteDesk(scenario={sc!r})"

    def tools(self, names: Any = None) -> list[Any]:
        from infralab.tools._desk import tool_names  # the desk's own checks and order

        return [self._tool(n) for n in tool_names(names)]

    def tools_for(self, route: str) -> list[Any]:
        from infralab.tools._desk import route_tool_names

        return self.tools(route_tool_names(route))

    def run(self, name: str, args: dict[str, Any]) -> str:
        (tool,) = self.tools([name])
        return tool.invoke(args)

    @property
    def calls(self) -> list[dict[str, Any]]:
        return _call(self.env, {"op": "desk.calls", "handle": self.handle})["value"]

    @property
    def side_effects(self) -> list[dict[str, Any]]:
        return _call(self.env, {"op": "desk.side_effects", "handle": self.handle})["value"]

    def _tool(self, name: str) -> Any:
        tool = self._tools.get(name)
        if tool is None:
            tool = _remote_tool(self, name)
            self._tools[name] = tool
        return tool


def _remote_tool(desk: RemoteDesk, name: str) -> Any:
    from langchain_core.messages import ToolMessage
    from langchain_core.tools import StructuredTool

    from infralab.tools._schemas import ARGS_SCHEMAS, DESCRIPTIONS

    class _RemoteTool(StructuredTool):
        def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any:  # noqa: A002
            call = isinstance(input, dict) and input.get("type") == "tool_call"
            args = input.get("args", {}) if call else input
            if not isinstance(args, dict):
                args = {"input": args}
            reply = _call(
                desk.env,
                {
                    "op": "desk.tool",
                    "handle": desk.handle,
                    "tool": name,
                    "args": args,
                    "tool_call_id": input.get("id") if call else None,
                },
            )
            if call:
                return ToolMessage(
                    reply["content"],
                    tool_call_id=str(input.get("id")),
                    name=name,
                    status=reply["status"],
                )
            return reply["content"]

        async def ainvoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any:  # noqa: A002
            return self.invoke(input, config, **kwargs)

    def unreachable(**kwargs: Any) -> str:  # invoke() never gets here
        raise EnvError("remote tools run through invoke()")

    return _RemoteTool(
        name=name,
        description=DESCRIPTIONS[name],
        args_schema=ARGS_SCHEMAS[name],
        func=unreachable,
    )
