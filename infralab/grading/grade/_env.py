"""The trusted environment: simulator, tool desk, fault plans and clock, outside learner code.

A grade cell that judges *behaviour* (a run, a drill, an evaluation) does not ask the
learner's process what happened. It builds an :class:`Environment` on its own side, gives the
learner's code references to it inside a probe snippet, and grades from the environment's own
logs afterwards::

    env = Environment()
    model = env.model("sim-large@2026-11", seed=3)
    desk = env.desk(env.scenario("sd-0042"))
    probe(f"run_request(build_star({model}, {desk}), {desk.scenario}, {desk}, ...)")
    desk.calls          # what the desk really received (trusted)
    model.log           # every model call, tokens, cost, latency (trusted)

A handle's ``repr`` is a Python expression that, evaluated in the learner's process, builds a
proxy (:mod:`infralab.grading.sandbox._env_client`): model calls, tool calls, sleeps and clock reads
travel as JSON requests to this process, which runs them on the real objects. Under
``infralab grade`` the requests cross the sandbox boundary on the worker's pipe; in a
learner's own kernel the same requests are dispatched in-process, so behaviour is identical.
Scenario ground truth never crosses: the learner's side gets id, customer and message only.

Environment ids are unguessable, and the judge answers only environments made by the grade
cell it is running, so one submission can never reach another's.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import secrets
import threading
import weakref
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

__all__ = [
    "Environment",
    "ModelHandle",
    "DeskHandle",
    "ClockHandle",
    "ScenarioHandle",
    "FaultPlanHandle",
    "SlotHandle",
    "dispatch_local",
    "environment_scope",
]

# Environments a grade cell made, by id. The judge gives each grade cell a fresh scope; in a
# kernel (no judge) the process-wide default scope is used.
_GLOBAL: weakref.WeakValueDictionary[str, Environment] = weakref.WeakValueDictionary()
_scope: contextvars.ContextVar[dict[str, Environment] | None] = contextvars.ContextVar(
    "infralab_env_scope", default=None
)
_MAX_SLEEP = 7 * 24 * 3600.0  # a week of virtual time per sleep is more than any drill needs


@contextlib.contextmanager
def environment_scope() -> Iterator[dict[str, Environment]]:
    """A fresh scope of environments (the judge opens one per grade cell)."""
    scope: dict[str, Environment] = {}
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def _current_scope() -> Any:
    scope = _scope.get()
    return _GLOBAL if scope is None else scope


class _Handle:
    kind = ""

    def __init__(self, env: Environment, spec: dict[str, Any]) -> None:
        self.env = env
        self.id = env._register(self)
        self._spec = spec

    def __repr__(self) -> str:
        # An expression the learner's process evaluates to its proxy (see _env_client.ref).
        return (
            "__import__('infralab.grading.sandbox._env_client', fromlist=['ref'])"
            f".ref({self.env.id!r}, {self.id}, {self.kind!r}, {self._spec!r})"
        )

    __str__ = __repr__


class ClockHandle(_Handle):
    """The environment's virtual clock: models sleep on it, proxies read and advance it."""

    kind = "clock"

    def __init__(self, env: Environment) -> None:
        from infralab.clock import VirtualClock

        super().__init__(env, {})
        self.clock = VirtualClock()

    def now(self) -> float:
        """Virtual seconds since the environment was made."""
        return self.clock.now()

    def advance_to(self, t: float) -> float:
        """Move time forward to ``t`` (never back); used by judge-driven drills."""
        return self.clock.advance_to(t)


class ScenarioHandle(_Handle):
    """A dataset scenario: the whole of it here, only id, customer and message over there."""

    kind = "scenario"

    def __init__(self, env: Environment, scenario: Any) -> None:
        super().__init__(env, _redacted(scenario))
        self.scenario = scenario


def _redacted(scenario: Any) -> dict[str, Any]:
    return {
        "id": scenario.id,
        "customer_id": scenario.customer_id,
        "message": scenario.message,
        "split": scenario.split,
    }


class FaultPlanHandle(_Handle):
    """A fault plan kept on the trusted side; ``plan.events`` is its log of every call."""

    kind = "plan"

    def __init__(self, env: Environment, plan: Any) -> None:
        super().__init__(env, {"name": getattr(plan, "name", "")})
        self.plan = plan

    @property
    def events(self) -> list[Any]:
        return list(self.plan.events)


class ModelHandle(_Handle):
    """A simulator model on the trusted side, with a log of every call it served.

    Attributes:
        model: the real :class:`~infralab.llm.SimChatModel`.
        log: one dict per call, in order: ``t`` (virtual start), ``elapsed``, ``model``,
            ``input_tokens``, ``output_tokens``, ``cost_usd`` (0 for failed calls), ``error``
            (exception class name or None), ``tool_calls`` (names), ``tool_call_ids``,
            ``bound`` (names of the tools bound to the call), ``content`` (the reply text).
    """

    kind = "model"

    def __init__(self, env: Environment, model: Any) -> None:
        super().__init__(env, {"profile": asdict(model.sim_profile), "seed": model.seed})
        self.model = model
        self.log: list[dict[str, Any]] = []

    @property
    def calls(self) -> int:
        """Calls that reached the model (including failed ones)."""
        return len(self.log)

    @property
    def tokens(self) -> int:
        return sum(e["input_tokens"] + e["output_tokens"] for e in self.log)

    @property
    def cost_usd(self) -> float:
        return sum(e["cost_usd"] for e in self.log)


class DeskHandle(_Handle):
    """A support desk on the trusted side.

    Attributes:
        desk: the real :class:`~infralab.tools.SupportDesk` (its ``calls`` and
            ``side_effects`` are the trusted record of what an agent did).
        log: one dict per tool call received through the interface: ``tool``, ``args``,
            ``ok``, ``tool_call_id``, ``issued`` (True when a model of this environment
            issued that tool call id: the call came from a model, not from code that knew
            the answer).
    """

    kind = "desk"

    def __init__(self, env: Environment, desk: Any, scenario: ScenarioHandle | None) -> None:
        super().__init__(env, {"scenario": scenario._spec if scenario else None})
        self.desk = desk
        self.scenario = scenario
        self.log: list[dict[str, Any]] = []

    @property
    def calls(self) -> list[Any]:
        return list(self.desk.calls)

    @property
    def side_effects(self) -> list[Any]:
        return list(self.desk.side_effects)

    def model_issued_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """``(tool, args)`` of the successful calls that a model of this environment issued."""
        return [(e["tool"], e["args"]) for e in self.log if e["ok"] and e["issued"]]


class SlotHandle(_Handle):
    """A plain namespace that persists in the learner's process between probes."""

    kind = "slot"

    def __init__(self, env: Environment) -> None:
        super().__init__(env, {})


class Environment:
    """A trusted world for one grade cell: models, desks, fault plans, one virtual clock.

    Build it in a grade cell, paste its handles into probe snippets (``f"{model}"``), and
    grade from the handles' logs. Every model of the environment sleeps on its clock
    (``env.clock``); a caller whose current clock is another one sees the same latency on it.
    """

    def __init__(self) -> None:
        self.id = f"env-{secrets.token_hex(8)}"
        self._handles: list[_Handle] = []
        self._lock = threading.RLock()
        self.issued: dict[str, int] = {}  # tool call id -> model handle id
        _current_scope()[self.id] = self
        self.clock = ClockHandle(self)

    def __repr__(self) -> str:
        return f"Environment({len(self._handles)} handles, t={self.clock.now():.3f})"

    def _register(self, handle: _Handle) -> int:
        with self._lock:
            self._handles.append(handle)
            return len(self._handles) - 1

    # -- builders ------------------------------------------------------------------------
    def model(
        self,
        profile: Any = "sim-large@2026-11",
        *,
        seed: int = 0,
        fault_plan: FaultPlanHandle | None = None,
        timeout: float | None = None,
    ) -> ModelHandle:
        """A simulator model (profile id or :class:`~infralab.llm.ModelProfile`)."""
        from infralab.llm import SimChatModel

        plan = fault_plan.plan if fault_plan is not None else None
        return ModelHandle(
            self, SimChatModel(profile=profile, seed=seed, fault_plan=plan, timeout=timeout)
        )

    def fault_plan(self, plan: Any) -> FaultPlanHandle:
        """A fault plan: an incident name, a plan dict, or a :class:`~infralab.faults.FaultPlan`."""
        from infralab.faults import FaultPlan, load_incident

        if isinstance(plan, str):
            plan = load_incident(plan)
        elif isinstance(plan, dict):
            plan = FaultPlan.from_dict(plan)
        return FaultPlanHandle(self, plan)

    def scenario(self, scenario: Any) -> ScenarioHandle:
        """A dataset scenario, by id or as a :class:`~infralab.datasets.Scenario`."""
        from infralab.datasets import load_scenarios

        if isinstance(scenario, str):
            found = [s for s in load_scenarios() if s.id == scenario]
            if not found:
                raise KeyError(f"no scenario {scenario!r}")
            scenario = found[0]
        return ScenarioHandle(self, scenario)

    def desk(self, scenario: ScenarioHandle | None = None) -> DeskHandle:
        """A fresh support desk for one episode (of ``scenario``, if given)."""
        from infralab.tools import SupportDesk

        sc = scenario.scenario if scenario is not None else None
        return DeskHandle(self, SupportDesk(scenario=sc), scenario)

    def slot(self) -> SlotHandle:
        """A namespace that persists in the learner's process across probes."""
        return SlotHandle(self)

    # -- what the learner's side may ask -------------------------------------------------
    def _handle_of(self, request: dict[str, Any], cls: type) -> Any:
        index = request.get("handle")
        if type(index) is not int or not 0 <= index < len(self._handles):
            raise ValueError("unknown handle")
        handle = self._handles[index]
        if not isinstance(handle, cls):
            raise ValueError(f"handle {index} is not a {getattr(cls, 'kind', cls.__name__)}")
        return handle

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve one request from the learner's side; always returns a JSON-able reply."""
        op = request.get("op")
        try:
            with self._lock:
                return {"ok": True, **self._serve(op, request)}
        except _Failed as failed:
            return {"ok": False, "error": failed.error, "elapsed": failed.elapsed}
        except Exception as exc:  # noqa: BLE001 - a hostile request must not crash the judge
            from infralab.grading.sandbox._env_client import encode_error

            return {"ok": False, "error": encode_error(exc)}

    def _serve(self, op: Any, request: dict[str, Any]) -> dict[str, Any]:
        if op == "clock.now":
            return {"value": self._handle_of(request, ClockHandle).now()}
        if op == "clock.time_ns":
            return {"value": self._handle_of(request, ClockHandle).clock.time_ns()}
        if op == "clock.sleep":
            clock = self._handle_of(request, ClockHandle)
            seconds = request.get("seconds")
            if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                raise ValueError("sleep needs a number of seconds")
            if not math.isfinite(seconds) or not 0 <= seconds <= _MAX_SLEEP:
                raise ValueError(f"sleep needs 0 <= seconds <= {_MAX_SLEEP:g}")
            clock.clock.sleep(float(seconds))
            return {}
        if op == "model.generate":
            return self._generate(self._handle_of(request, ModelHandle), request)
        if op == "desk.tool":
            return self._tool(self._handle_of(request, DeskHandle), request)
        if op == "desk.calls":
            desk = self._handle_of(request, DeskHandle)
            return {"value": [c.to_dict() for c in desk.desk.calls]}
        if op == "desk.side_effects":
            desk = self._handle_of(request, DeskHandle)
            return {"value": [e.to_dict() for e in desk.desk.side_effects]}
        raise ValueError(f"unknown request {op!r}")

    def _generate(self, handle: ModelHandle, request: dict[str, Any]) -> dict[str, Any]:
        from langchain_core.messages import messages_from_dict, messages_to_dict

        from infralab.clock import use_clock
        from infralab.grading.sandbox._env_client import _KWARGS, encode_error

        raw = request.get("messages")
        if not isinstance(raw, list) or not raw:
            raise ValueError("a model call needs a non-empty list of messages")
        messages = messages_from_dict(raw)
        stop = request.get("stop")
        if stop is not None and not (
            isinstance(stop, list) and all(isinstance(s, str) for s in stop)
        ):
            raise ValueError("stop must be a list of strings")
        kwargs = request.get("kwargs") or {}
        if not isinstance(kwargs, dict):
            raise ValueError("kwargs must be a dict")
        kwargs = {k: v for k, v in kwargs.items() if k in _KWARGS}
        bound = [
            (t.get("function") or {}).get("name", "")
            for t in kwargs.get("tools") or []
            if isinstance(t, dict)
        ]
        clock = self.clock.clock
        start = clock.now()
        with use_clock(clock):  # a Rollout's serving version is the one of the env's clock
            model_id = handle.model.sim_profile.id
        entry: dict[str, Any] = {
            "t": start,
            "model": model_id,
            "bound": bound,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
            "error": None,
            "tool_calls": [],
            "tool_call_ids": [],
            "content": "",
        }
        try:
            with use_clock(clock):
                result = handle.model._generate(messages, stop, **kwargs)
        except Exception as exc:
            entry["elapsed"] = clock.now() - start
            entry["error"] = type(exc).__name__
            handle.log.append(entry)
            raise _Failed(encode_error(exc), entry["elapsed"]) from None
        message = result.generations[0].message
        usage = message.usage_metadata or {}
        entry.update(
            elapsed=clock.now() - start,
            input_tokens=int(usage.get("input_tokens", 0)),
            output_tokens=int(usage.get("output_tokens", 0)),
            cost_usd=float(message.response_metadata.get("cost_usd", 0.0)),
            tool_calls=[tc["name"] for tc in message.tool_calls],
            tool_call_ids=[tc["id"] for tc in message.tool_calls],
            content=message.content if isinstance(message.content, str) else "",
        )
        handle.log.append(entry)
        for tc in message.tool_calls:
            self.issued[tc["id"]] = handle.id
        (data,) = messages_to_dict([message])
        return {"message": data, "elapsed": entry["elapsed"]}

    def _tool(self, handle: DeskHandle, request: dict[str, Any]) -> dict[str, Any]:
        from infralab.clock import use_clock
        from infralab.tools import TOOL_NAMES

        name, args, call_id = request.get("tool"), request.get("args"), request.get("tool_call_id")
        if name not in TOOL_NAMES:
            raise ValueError(f"unknown tool {name!r}")
        if not isinstance(args, dict):
            raise ValueError("tool arguments must be a dict")
        if call_id is not None and not isinstance(call_id, str):
            raise ValueError("tool_call_id must be a string")
        (tool,) = handle.desk.tools([name])
        before = len(handle.desk.calls)
        with use_clock(self.clock.clock):
            if call_id is None:
                content, status = tool.invoke(args), "success"
            else:
                out = tool.invoke({"type": "tool_call", "name": name, "args": args, "id": call_id})
                content, status = out.content, getattr(out, "status", "success")
        records = handle.desk.calls[before:]
        ok = bool(records) and all(r.ok for r in records)
        handle.log.append(
            {
                "tool": name,
                "args": dict(records[-1].args) if records else dict(args),
                "ok": ok,
                "tool_call_id": call_id,
                "issued": call_id is not None and call_id in self.issued,
            }
        )
        return {"content": content if isinstance(content, str) else str(content), "status": status}

    # -- trusted figures -----------------------------------------------------------------
    @property
    def models(self) -> list[ModelHandle]:
        return [h for h in self._handles if isinstance(h, ModelHandle)]

    def model_log(self) -> list[dict[str, Any]]:
        """Every model call of every model of this environment, in the order served."""
        entries = [e for m in self.models for e in m.log]
        return sorted(entries, key=lambda e: e["t"])


class _Failed(Exception):
    def __init__(self, error: dict[str, Any], elapsed: float) -> None:
        super().__init__(error.get("message"))
        self.error, self.elapsed = error, elapsed


def dispatch_local(request: dict[str, Any]) -> dict[str, Any]:
    """Serve a request for an environment of the current scope (the kernel's or the judge's)."""
    env_id = request.get("env") if isinstance(request, dict) else None
    env = _current_scope().get(env_id) if isinstance(env_id, str) else None
    if env is None:
        return {"ok": False, "error": {"type": "EnvError", "message": "unknown environment"}}
    return env.handle(request)
