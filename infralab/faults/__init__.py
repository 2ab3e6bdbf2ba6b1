"""Declarative fault injection for the simulated provider: rate limits, outages, brownouts.

A :class:`FaultPlan` is data: a seed and an ordered list of rules. The simulated provider asks
it about every request (``plan.before_call(model=..., input_tokens=..., now=...)``) and gets a
:class:`FaultDecision`: extra latency to sleep on the virtual clock, and maybe an error from
:mod:`infralab.llm.errors` to raise, shaped like the real SDKs' (429 with ``retry_after``,
500 / 503 / 529, timeouts, 401, ``insufficient_quota``). Time is only the ``now`` argument
(virtual seconds), and every random draw is a hash of (seed, rule index, model, per-model call
index), so a ten-minute incident replays identically in milliseconds, in any process.

Lab ``00-orientation`` introduces ``FaultPlan``; lab ``a2-resilience`` drills retries, circuit
breakers and fallbacks against the named incidents in ``datasets/incidents/``
(:func:`load_incident`, :func:`list_incidents`).

Example plan (YAML; JSON and dicts have the same shape)::

    name: lunch-rush
    seed: 7
    duration: 600            # virtual seconds a drill with this plan should run
    rules:
      - kind: rate_limit     # 429 + retry_after over a sliding 60 s window
        models: [sim-large]  # families (any @version), name@version or sim-*; default all
        rpm: 20
        tpm: 40000
      - kind: outage         # every call fails in [start, end)
        models: [sim-large]
        start: 60
        end: 150
        status: 503
      - kind: brownout       # latency climbs for 30 s, then 40% of calls get 529
        start: 300
        end: 480
        added_latency: 4.0
        latency_ramp: 30
        error_rate: 0.4
      - kind: flaky          # 2% of calls fail with 500, all the time
        error_rate: 0.02

Rules are evaluated in list order: latencies add up, the first error wins and later rules
are not consulted. A call that fails, for whatever reason, uses no rate-limit or quota budget
(providers neither count nor bill rejected requests). The kinds:

==============  ==========================================================================
``rate_limit``  ``rpm`` / ``tpm`` per model over a sliding 60 s window; 429 + ``retry_after``
``outage``      every call fails with ``status`` (503; 500 or 529)
``brownout``    ``added_latency`` (optionally ramped over ``latency_ramp`` s), then
                ``error_rate`` of calls fail with ``status`` (529)
``flaky``       ``error_rate`` of calls fail with ``status`` (500)
``slow``        ``rate`` of calls take ``added_latency`` s more
``timeout``     ``rate`` of calls hang ``after`` s, then ``APITimeoutError``
``quota``       after ``max_calls`` calls / ``max_tokens`` tokens: 429 ``insufficient_quota``
``auth``        401 ``invalid_api_key`` (a rotated key)
==============  ==========================================================================

Every rule also takes ``models`` (families like ``sim-large``, ``name@version``, or
``prefix*``), ``start`` (default 0) and ``end`` (default never).

Example:
    >>> plan = FaultPlan([Outage(start=60, end=150)])
    >>> plan.before_call(model="sim-large@2026-11", input_tokens=812, now=10.0).error is None
    True
    >>> plan.before_call(model="sim-large@2026-11", input_tokens=812, now=60.0).error
    ServiceUnavailableError(status_code=503, code='service_unavailable')
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from infralab.faults import _loading
from infralab.faults._rules import (
    RULE_KINDS,
    Auth,
    Brownout,
    Call,
    Flaky,
    Outage,
    Quota,
    RateLimit,
    Rule,
    Slow,
    Timeout,
    rule_from_dict,
)
from infralab.faults._schema import FaultPlanError
from infralab.llm.errors import ProviderError

__all__ = [
    "FaultPlan",
    "FaultDecision",
    "FaultEvent",
    "FaultPlanError",
    "Rule",
    "RateLimit",
    "Outage",
    "Brownout",
    "Flaky",
    "Slow",
    "Timeout",
    "Quota",
    "Auth",
    "RULE_KINDS",
    "load_fault_plan",
    "load_incident",
    "list_incidents",
]

_PLAN_KEYS = ("name", "description", "seed", "duration", "rules")


@dataclass(frozen=True)
class FaultDecision:
    """What the provider does with one call.

    Attributes:
        error: the error to raise after the latency, or None for a call that goes through.
        extra_latency: seconds to sleep on the current clock first (>= 0).
    """

    error: ProviderError | None = None
    extra_latency: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the call is not failed (it may still be slowed)."""
        return self.error is None


@dataclass(frozen=True)
class FaultEvent:
    """One call as the plan saw it, for traces, widgets and drills.

    Attributes:
        t: virtual time of the call (the ``now`` it was asked with).
        model: the model called.
        call_index: how many calls to this model the plan had seen before this one.
        outcome: ``"ok"`` (untouched), ``"delayed"`` (latency only) or ``"error"``.
        rules: kinds of the rules that affected the call, in order; an error's rule is last.
        status: HTTP status of the error (None when none, and for a timeout).
        code: the error's code (e.g. ``"rate_limit_exceeded"``), or None.
        extra_latency: seconds of latency the plan added.
    """

    t: float
    model: str
    call_index: int
    outcome: str
    rules: tuple[str, ...] = ()
    status: int | None = None
    code: str | None = None
    extra_latency: float = 0.0

    @property
    def rule(self) -> str | None:
        """The rule that failed the call, or the last one that slowed it (None: untouched)."""
        return self.rules[-1] if self.rules else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (what a grade cell can ``probe``)."""
        d = asdict(self)
        d["rules"] = list(self.rules)
        return d


class FaultPlan:
    """A seeded, ordered list of fault rules, plus the run-time state they need.

    The configuration (``rules``, a tuple of frozen rules, ``seed``, ``name``,
    ``description``, ``duration``) is meant to stay fixed; the state (rate-limit windows, quota counters, per-model call counts, ``events``)
    does, and :meth:`reset` clears it. One plan may be shared by several models and threads.

    Args:
        rules: :class:`Rule` objects or their dict forms (``{"kind": "outage", ...}``).
        seed: fixes every random draw (``flaky``, ``slow``, ``timeout``, ``brownout``).
        name: a label, e.g. the incident name.
        description: free text (incidents say what real incident they imitate).
        duration: virtual seconds a drill with this plan is meant to run, or None.

    Raises:
        FaultPlanError: a rule or field is malformed; the message names the field path.
    """

    def __init__(
        self,
        rules: Iterable[Rule | Mapping[str, Any]] = (),
        seed: int = 0,
        name: str | None = None,
        *,
        description: str | None = None,
        duration: float | None = None,
    ) -> None:
        if isinstance(rules, Mapping | str) or not isinstance(rules, Iterable):
            raise FaultPlanError(f"must be a list of rules, got {rules!r}", path="rules")
        built = []
        for i, rule in enumerate(rules):
            try:
                built.append(rule_from_dict(rule))
            except FaultPlanError as e:
                raise e.within(f"rules[{i}]") from None
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise FaultPlanError(f"must be an integer, got {seed!r}", path="seed")
        for field, value in (("name", name), ("description", description)):
            if value is not None and not isinstance(value, str):
                raise FaultPlanError(f"must be a string, got {value!r}", path=field)
        if duration is not None and (
            isinstance(duration, bool)
            or not isinstance(duration, int | float)
            or not math.isfinite(duration)
            or duration <= 0
        ):
            raise FaultPlanError(
                f"must be a positive number of seconds, got {duration!r}", path="duration"
            )
        self.rules: tuple[Rule, ...] = tuple(built)
        self.seed = seed
        self.name = name
        self.description = description
        self.duration = None if duration is None else float(duration)
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget all run-time state: windows, counters, call counts and ``events``."""
        with self._lock:
            self._states = [rule.new_state() for rule in self.rules]
            self._calls: dict[str, int] = {}
            self.events: list[FaultEvent] = []

    def before_call(self, *, model: str, input_tokens: int, now: float) -> FaultDecision:
        """Decide the fate of one call to ``model`` at virtual time ``now``.

        Called by the simulated provider for every request. Rules are evaluated in order;
        their latencies add up and the first error wins (later rules are not consulted). Only
        a call that is not failed counts against rate limits and quotas. Appends a :class:`FaultEvent` to ``events``.

        Args:
            model: the model (profile) name, e.g. ``"sim-large@2026-11"``.
            input_tokens: tokens in the request (rate limits and quotas count them).
            now: the current clock's reading, in seconds. The plan never reads a clock itself.
        """
        if not isinstance(model, str) or not model:
            raise TypeError(f"model must be a non-empty string, got {model!r}")
        if isinstance(input_tokens, bool) or not isinstance(input_tokens, int) or input_tokens < 0:
            raise ValueError(f"input_tokens must be an integer >= 0, got {input_tokens!r}")
        if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
            raise ValueError(f"now must be a finite number of seconds, got {now!r}")
        now = float(now)
        with self._lock:
            index = self._calls.get(model, 0)
            self._calls[model] = index + 1
            latency, error, kinds, passed = 0.0, None, [], []
            for i, rule in enumerate(self.rules):
                if not rule.applies(model, now):
                    continue
                call = Call(model, input_tokens, now, index, self.seed, rule_index=i)
                effect = rule.decide(call, self._states[i])
                passed.append((rule, call, self._states[i]))
                if effect is None or (effect.latency == 0 and effect.error is None):
                    continue
                kinds.append(rule.kind)
                latency += effect.latency
                if effect.error is not None:
                    error = effect.error
                    break
            if error is None:  # only calls that go through count against limits and quotas
                for rule, call, state in passed:
                    rule.record(call, state)
            outcome = "error" if error else "delayed" if latency > 0 else "ok"
            self.events.append(
                FaultEvent(
                    t=now,
                    model=model,
                    call_index=index,
                    outcome=outcome,
                    rules=tuple(kinds),
                    status=None if error is None else error.status_code,
                    code=None if error is None else error.code,
                    extra_latency=latency,
                )
            )
        return FaultDecision(error=error, extra_latency=latency)

    def summary(self) -> dict[str, Any]:
        """Counts of ``events`` by outcome, error code and rule, as plain JSON data.

        Example: ``{"calls": 120, "ok": 80, "delayed": 10, "error": 30,
        "errors_by_code": {"rate_limit_exceeded": 30}, "by_rule": {"rate_limit": 30},
        "extra_latency": 42.0}``.
        """
        with self._lock:
            events = list(self.events)
        outcomes = Counter(e.outcome for e in events)
        return {
            "calls": len(events),
            "ok": outcomes["ok"],
            "delayed": outcomes["delayed"],
            "error": outcomes["error"],
            "errors_by_code": dict(sorted(Counter(e.code for e in events if e.code).items())),
            "by_rule": dict(sorted(Counter(k for e in events for k in set(e.rules)).items())),
            "extra_latency": float(sum(e.extra_latency for e in events)),
        }

    # -- data form ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain data; ``FaultPlan.from_dict(plan.to_dict()) == plan``."""
        out: dict[str, Any] = {}
        for key in ("name", "description"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["seed"] = self.seed
        if self.duration is not None:
            out["duration"] = self.duration
        out["rules"] = [rule.to_dict() for rule in self.rules]
        return out

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> FaultPlan:
        """Build a plan from its data form; ``source`` names the file in error messages."""
        try:
            if data is None:
                raise FaultPlanError("the plan is empty; it needs at least a 'rules' list")
            if not isinstance(data, Mapping):
                raise FaultPlanError(
                    f"a fault plan must be a mapping with keys {', '.join(_PLAN_KEYS)}, "
                    f"got a {type(data).__name__}"
                )
            unknown = [k for k in data if k not in _PLAN_KEYS]
            if unknown:
                raise FaultPlanError(
                    f"unknown key; allowed: {', '.join(_PLAN_KEYS)}", path=str(unknown[0])
                )
            return cls(
                data.get("rules", ()),
                seed=data.get("seed", 0),
                name=data.get("name"),
                description=data.get("description"),
                duration=data.get("duration"),
            )
        except FaultPlanError as e:
            raise e.located(source, e.line) from None

    @classmethod
    def from_yaml(cls, text: str, source: str | None = None) -> FaultPlan:
        """Build a plan from YAML text; errors name ``source``, the line and the field."""
        return cls._from_text(text, "yaml", source)

    @classmethod
    def from_json(cls, text: str, source: str | None = None) -> FaultPlan:
        """Build a plan from JSON text; errors name ``source``, the line and the field."""
        return cls._from_text(text, "json", source)

    @classmethod
    def _from_text(cls, text: str, fmt: str, source: str | None) -> FaultPlan:
        data, line_of = _loading.parse_text(text, fmt, source)
        try:
            return cls.from_dict(data)
        except FaultPlanError as e:
            raise e.located(source, line_of(e.path)) from None

    # -- comparison and display -----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FaultPlan):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # plans carry mutable run-time state

    def __repr__(self) -> str:
        kinds = ", ".join(rule.kind for rule in self.rules)
        label = f"{self.name!r}, " if self.name else ""
        return f"FaultPlan({label}seed={self.seed}, rules=[{kinds}])"


def load_fault_plan(path: str | PathLike[str]) -> FaultPlan:
    """Read a plan from a ``.yaml`` / ``.yml`` / ``.json`` file.

    Raises:
        FaultPlanError: the file is malformed (the message names it, the line and the field).
        FileNotFoundError: there is no such file.
    """
    path = Path(path)
    source = _loading.display_path(path)
    text = path.read_text(encoding="utf-8")
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return FaultPlan._from_text(text, fmt, source)


def load_incident(name: str) -> FaultPlan:
    """Load the named incident ``datasets/incidents/<name>.yaml`` (see :func:`list_incidents`).

    Used by lab ``a2-resilience`` for its drills, e.g. ``load_incident("outage-90s")``.

    Raises:
        FaultPlanError: unknown name (the message lists the available ones), or a bad file.
    """
    plan = load_fault_plan(_loading.incident_path(name))
    if plan.name is None:
        plan.name = name
    return plan


def list_incidents() -> list[str]:
    """Names of the incidents in ``datasets/incidents/``, sorted."""
    return _loading.incident_names()
