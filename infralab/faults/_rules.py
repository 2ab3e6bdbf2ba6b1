"""The fault rules: small frozen dataclasses with one ``decide`` method each.

A rule is configuration only. Anything that changes while a plan runs (a rate limiter's window,
a quota's counters) lives in a state object that the plan creates with ``rule.new_state()``,
so ``FaultPlan.reset()`` is just "make new states" and rules stay hashable and comparable.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from infralab.faults import _schema as s
from infralab.faults._schema import FaultPlanError
from infralab.llm.errors import (
    APITimeoutError,
    AuthenticationError,
    ProviderError,
    QuotaExceededError,
    RateLimitError,
    error_for_status,
)

__all__ = [
    "RULE_KINDS",
    "Call",
    "Effect",
    "Rule",
    "rule_from_dict",
    "RateLimit",
    "Outage",
    "Brownout",
    "Flaky",
    "Slow",
    "Timeout",
    "Quota",
    "Auth",
]

# Status codes a server-side fault may answer with (errors.py has a class for each).
SERVER_STATUSES = (500, 503, 529)
WINDOW_SECONDS = 60.0  # rate limits are per minute, as providers publish them


@dataclass(frozen=True)
class Call:
    """One request as the rules see it. ``index`` counts calls to this model in the plan."""

    model: str
    input_tokens: int
    now: float
    index: int
    seed: int
    rule_index: int = 0

    def draw(self) -> float:
        """A uniform number in [0, 1) fixed by (seed, rule index, model, per-model call index).

        A hash, not ``random`` or ``hash()``: the same plan and calls give the same draws in any
        process; the rule index makes two rules' draws independent; the per-model index makes
        a model's draws independent of calls to other models (and of thread interleaving).
        """
        key = f"{self.seed}|{self.rule_index}|{self.model}|{self.index}"
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    @property
    def request_id(self) -> str:
        key = f"{self.seed}|{self.model}|{self.index}"
        return "req_sim_" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()

    def error(self, status: int | str, message: str = "", **kw: Any) -> ProviderError:
        return error_for_status(status, message, model=self.model, request_id=self.request_id, **kw)


def _matches(pattern: str, model: str) -> bool:
    if pattern.endswith("*"):
        return model.startswith(pattern[:-1])
    return model == pattern or model.startswith(pattern + "@")


@dataclass(frozen=True)
class Effect:
    """What one rule does to one call: extra latency (seconds) and/or an error."""

    latency: float = 0.0
    error: ProviderError | None = None


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Fields every rule has.

    Args:
        models: the models the rule applies to; None means every model. An entry matches a
            model family (``sim-large`` matches ``sim-large@2026-06`` and ``sim-large@2026-11``
            but not ``sim-large-long``), an exact ``name@version``, or, ending in ``*``, any
            name with that prefix (``sim-*``). Families rather than raw prefixes, so that an
            outage of ``sim-large`` does not silently take down the ``sim-large-long`` fallback.
        start: virtual second from which the rule is in force (inclusive).
        end: virtual second at which it stops (exclusive); None means never.
    """

    kind: ClassVar[str] = ""
    models: tuple[str, ...] | None = None
    start: float = 0.0
    end: float | None = None

    def __post_init__(self) -> None:
        self._set("models", s.models(self.models, "models"))
        self._set("start", s.number(self.start, "start"))
        self._set("end", s.optional_number(self.end, "end"))
        if self.end is not None and self.end <= self.start:
            raise FaultPlanError(
                f"must be after start ({self.start:g}), got {self.end:g}", path="end"
            )
        self.check()

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)  # normalise fields of a frozen dataclass

    def check(self) -> None:
        """Validate and normalise the rule's own fields (raise FaultPlanError with the field)."""

    def applies(self, model: str, now: float) -> bool:
        """Whether the rule targets ``model`` and is in force at virtual time ``now``."""
        if self.models is not None and not any(_matches(p, model) for p in self.models):
            return False
        return self.start <= now and (self.end is None or now < self.end)

    def new_state(self) -> Any:
        """Fresh run-time state for a plan (None for rules without state)."""
        return None

    def decide(self, call: Call, state: Any) -> Effect | None:
        """What this rule does to ``call`` (None: nothing). Only called when it applies.

        Must not count the call in ``state``: the plan calls :meth:`record` for that, once it
        knows the call went through.
        """
        raise NotImplementedError

    def record(self, call: Call, state: Any) -> None:
        """Count ``call``, which this rule let through and no rule failed, in ``state``."""

    # -- data form ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain data: ``kind`` and every field that differs from its default."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.default is dataclasses.MISSING or value != f.default:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """Build a rule from its data form; errors name the offending field."""
        allowed = cls.field_names()
        unknown = [k for k in data if k != "kind" and k not in allowed]
        if unknown:
            raise FaultPlanError(
                f"unknown key for a {cls.kind} rule; allowed: kind, {', '.join(allowed)}",
                path=str(unknown[0]),
            )
        for f in dataclasses.fields(cls):
            if f.default is dataclasses.MISSING and f.name not in data:
                raise FaultPlanError(f"is required for a {cls.kind} rule", path=f.name)
        return cls(**{k: v for k, v in data.items() if k != "kind"})


@dataclass(frozen=True, kw_only=True)
class RateLimit(Rule):
    """``rate_limit``: requests (``rpm``) and/or input tokens (``tpm``) per sliding 60 s.

    Over a limit the call fails with :class:`RateLimitError` (429) whose ``retry_after`` is the
    whole number of seconds until enough of the window has expired for this call to fit, as a
    ``retry-after`` header says. Failed calls use no quota (OpenAI does not count rejected
    requests). Limits are kept per model name, as providers publish them. A request larger
    than ``tpm`` on its own can never fit: it gets a 429 with ``retry_after=None``.
    """

    kind: ClassVar[str] = "rate_limit"
    rpm: int | None = None
    tpm: int | None = None

    def check(self) -> None:
        self._set("rpm", s.optional_count(self.rpm, "rpm", minimum=1))
        self._set("tpm", s.optional_count(self.tpm, "tpm", minimum=1))
        if self.rpm is None and self.tpm is None:
            raise FaultPlanError("a rate_limit rule needs rpm, tpm or both", path="rpm")

    def new_state(self) -> dict[str, list[tuple[float, int]]]:
        return {}  # model -> admitted (time, tokens), sorted by time

    def decide(self, call: Call, state: dict[str, list[tuple[float, int]]]) -> Effect | None:
        admitted = state.setdefault(call.model, [])
        horizon = call.now - WINDOW_SECONDS
        expired = 0
        while expired < len(admitted) and admitted[expired][0] <= horizon:
            expired += 1
        del admitted[:expired]

        if self.tpm is not None and call.input_tokens > self.tpm:
            return Effect(
                error=RateLimitError(
                    f"Request too large for {call.model} on tokens per min (TPM): Limit {self.tpm}, "
                    f"Requested {call.input_tokens}. The input or output tokens must be reduced.",
                    retry_after=None,
                    model=call.model,
                    request_id=call.request_id,
                )
            )
        # How many of the oldest admitted calls must leave the window before this one fits.
        must_expire, what, limit, used = 0, "", 0, 0
        if self.rpm is not None and len(admitted) + 1 > self.rpm:
            must_expire = len(admitted) + 1 - self.rpm
            what, limit, used = "requests per min (RPM)", self.rpm, len(admitted)
        if self.tpm is not None:
            tokens = sum(n for _, n in admitted)
            excess, k = tokens + call.input_tokens - self.tpm, 0
            while excess > 0:
                excess -= admitted[k][1]
                k += 1
            if k > must_expire:
                must_expire = k
                what, limit, used = "tokens per min (TPM)", self.tpm, tokens
        if must_expire == 0:
            return None

        frees_at = admitted[must_expire - 1][0] + WINDOW_SECONDS
        # Whole seconds, rounded up like a retry-after header; the 1e-9 keeps float noise
        # (64.3 - 4.3 = 60.00000000000001) from adding a second, and the loop makes sure
        # that a client sleeping exactly retry_after on its clock finds the window free.
        retry_after = max(1, math.ceil(frees_at - call.now - 1e-9))
        while admitted[must_expire - 1][0] > (call.now + retry_after) - WINDOW_SECONDS:
            retry_after += 1
        requested = 1 if what.startswith("requests") else call.input_tokens
        return Effect(
            error=RateLimitError(
                f"Rate limit reached for {call.model} on {what}: Limit {limit}, Used {used}, "
                f"Requested {requested}. Please try again in {retry_after}s.",
                retry_after=retry_after,
                model=call.model,
                request_id=call.request_id,
            )
        )

    def record(self, call: Call, state: dict[str, list[tuple[float, int]]]) -> None:
        # insort, not append: threads sharing a plan may report slightly out of order
        bisect.insort(state.setdefault(call.model, []), (call.now, call.input_tokens))


@dataclass(frozen=True, kw_only=True)
class Outage(Rule):
    """``outage``: between ``start`` and ``end`` every call fails with ``status`` (503)."""

    kind: ClassVar[str] = "outage"
    status: int = 503

    def check(self) -> None:
        s.status(self.status, "status", SERVER_STATUSES)

    def decide(self, call: Call, state: None) -> Effect:
        return Effect(error=call.error(self.status))


@dataclass(frozen=True, kw_only=True)
class Brownout(Rule):
    """``brownout``: a degraded window. Every call gets ``added_latency`` seconds and a share
    ``error_rate`` of calls fail with ``status`` (529).

    With ``latency_ramp`` (seconds), latency climbs linearly from 0 over the first
    ``latency_ramp`` seconds of the window and errors only start after it, as in real
    brownouts where queues fill up before requests are shed.
    """

    kind: ClassVar[str] = "brownout"
    error_rate: float
    status: int = 529
    added_latency: float = 0.0
    latency_ramp: float = 0.0

    def check(self) -> None:
        self._set("error_rate", s.probability(self.error_rate, "error_rate"))
        s.status(self.status, "status", SERVER_STATUSES)
        self._set("added_latency", s.number(self.added_latency, "added_latency"))
        self._set("latency_ramp", s.number(self.latency_ramp, "latency_ramp"))
        if self.end is not None and self.latency_ramp >= self.end - self.start:
            raise FaultPlanError(
                f"must be shorter than the window (end - start = {self.end - self.start:g}), "
                f"got {self.latency_ramp:g}",
                path="latency_ramp",
            )

    def decide(self, call: Call, state: None) -> Effect:
        elapsed = call.now - self.start
        if elapsed < self.latency_ramp:
            return Effect(latency=self.added_latency * elapsed / self.latency_ramp)
        error = call.error(self.status) if call.draw() < self.error_rate else None
        return Effect(latency=self.added_latency, error=error)


@dataclass(frozen=True, kw_only=True)
class Flaky(Rule):
    """``flaky``: a share ``error_rate`` of calls fail with ``status`` (500)."""

    kind: ClassVar[str] = "flaky"
    error_rate: float
    status: int = 500

    def check(self) -> None:
        self._set("error_rate", s.probability(self.error_rate, "error_rate"))
        s.status(self.status, "status", (429, *SERVER_STATUSES))

    def decide(self, call: Call, state: None) -> Effect | None:
        return Effect(error=call.error(self.status)) if call.draw() < self.error_rate else None


@dataclass(frozen=True, kw_only=True)
class Slow(Rule):
    """``slow``: a share ``rate`` (default all) of calls take ``added_latency`` seconds more."""

    kind: ClassVar[str] = "slow"
    added_latency: float
    rate: float = 1.0

    def check(self) -> None:
        self._set("added_latency", s.number(self.added_latency, "added_latency"))
        self._set("rate", s.probability(self.rate, "rate"))

    def decide(self, call: Call, state: None) -> Effect | None:
        return Effect(latency=self.added_latency) if call.draw() < self.rate else None


@dataclass(frozen=True, kw_only=True)
class Timeout(Rule):
    """``timeout``: a share ``rate`` of calls hang ``after`` seconds, then fail with
    :class:`APITimeoutError` (what the SDK raises when its client-side timeout fires)."""

    kind: ClassVar[str] = "timeout"
    after: float
    rate: float = 1.0

    def check(self) -> None:
        self._set("after", s.number(self.after, "after", strict=True))
        self._set("rate", s.probability(self.rate, "rate"))

    def decide(self, call: Call, state: None) -> Effect | None:
        if call.draw() >= self.rate:
            return None
        error = APITimeoutError(timeout=self.after, model=call.model, request_id=call.request_id)
        return Effect(latency=self.after, error=error)


@dataclass
class _Usage:
    calls: int = 0
    tokens: int = 0


@dataclass(frozen=True, kw_only=True)
class Quota(Rule):
    """``quota``: the account's credit runs out. After ``max_calls`` admitted calls or once
    ``max_tokens`` input tokens are used (whichever first), every call fails with
    :class:`QuotaExceededError` (429 ``insufficient_quota``): a 429 that retrying never fixes.
    Only calls that went through are counted (failed calls are not billed), and the count is
    shared by every model the rule targets, as a billing account is.
    """

    kind: ClassVar[str] = "quota"
    max_calls: int | None = None
    max_tokens: int | None = None

    def check(self) -> None:
        self._set("max_calls", s.optional_count(self.max_calls, "max_calls"))
        self._set("max_tokens", s.optional_count(self.max_tokens, "max_tokens"))
        if self.max_calls is None and self.max_tokens is None:
            raise FaultPlanError(
                "a quota rule needs max_calls, max_tokens or both", path="max_calls"
            )

    def new_state(self) -> _Usage:
        return _Usage()

    def decide(self, call: Call, state: _Usage) -> Effect | None:
        if (self.max_calls is not None and state.calls >= self.max_calls) or (
            self.max_tokens is not None and state.tokens >= self.max_tokens
        ):
            return Effect(
                error=QuotaExceededError(
                    "You exceeded your current quota, please check your plan and billing details.",
                    model=call.model,
                    request_id=call.request_id,
                )
            )
        return None

    def record(self, call: Call, state: _Usage) -> None:
        state.calls += 1
        state.tokens += call.input_tokens


@dataclass(frozen=True, kw_only=True)
class Auth(Rule):
    """``auth``: inside the window every call fails with :class:`AuthenticationError` (401),
    as when the API key was rotated and the service still sends the old one."""

    kind: ClassVar[str] = "auth"

    def decide(self, call: Call, state: None) -> Effect:
        return Effect(
            error=AuthenticationError(
                "Incorrect API key provided: sk-sim-****old0. The key was revoked.",
                model=call.model,
                request_id=call.request_id,
            )
        )


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (RateLimit, Outage, Brownout, Flaky, Slow, Timeout, Quota, Auth)
}


def rule_from_dict(data: Any) -> Rule:
    """Build the rule a mapping describes (dispatch on its ``kind``)."""
    if isinstance(data, Rule):
        return data
    if not isinstance(data, Mapping):
        raise FaultPlanError(f"must be a mapping with a 'kind', got {data!r}")
    kind = data.get("kind")
    if kind not in RULE_KINDS:
        reason = "is required" if kind is None else f"unknown rule kind {kind!r}"
        raise FaultPlanError(f"{reason}; allowed: {', '.join(RULE_KINDS)}", path="kind")
    return RULE_KINDS[kind].from_dict(data)
