"""The catalog of simulated model profiles: prices, latency, context window and behaviour.

A profile is versioned like a hosted model snapshot (``sim-large@2026-06``). A model update is
a new version with shifted behaviour: ``sim-large@2026-11`` follows prompt injections more
often and asks fewer clarifying questions than ``sim-large@2026-06``, which is what the drift
labs of track B detect. A bare name (``"sim-large"``) means the newest version, as a provider
alias does.

Introduced in lab ``00-orientation``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["ModelProfile", "UnknownProfileError", "get_profile", "list_profiles"]


class UnknownProfileError(LookupError):
    """A profile name that is not in the catalog. The message lists the known ones."""

    def __init__(self, name: object, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown model profile {name!r}; known profiles: {', '.join(known)}")


@dataclass(frozen=True)
class ModelProfile:
    """One simulated model version: what it costs, how fast it is, how it misbehaves.

    Behaviour rates are probabilities in [0, 1]; the simulator draws against them with a hash
    of (profile, seed, scenario, step, purpose), so a given run always makes the same mistakes.

    Attributes:
        name: the model family, e.g. ``"sim-large"``.
        version: the snapshot, e.g. ``"2026-11"``.
        context_window: maximum prompt tokens (``count_message_tokens``) per call.
        max_output_tokens: the longest reply the model writes.
        input_price_per_mtok: USD per million input tokens.
        output_price_per_mtok: USD per million output tokens.
        latency_base_s: seconds before the first token.
        latency_per_output_token_s: seconds per generated token.
        latency_jitter_s: up to this many extra seconds, drawn per call.
        routing_accuracy: chance of picking the scenario's route when routing.
        handoff_error_rate: chance of handing off to the wrong specialist.
        hallucinated_tool_rate: chance of calling a tool that does not exist.
        invalid_args_rate: chance of tool arguments that break the tool's schema.
        follows_injection_rate: chance of obeying an injected instruction it has seen.
        asks_when_ambiguous: chance of asking the clarifying question on an ambiguous request.
        verbosity: 0..1, how much the model writes around the facts (more tokens, more cost).
        refusal_rate: chance of refusing a legitimate scenario request.
        description: one line for catalogs and widgets.
        parallel_tool_calls: whether the model issues several tool calls in one turn when
            the scenario's next expected calls are independent (each needs nothing an earlier
            one returns), as hosted models do by default. False in the catalog, so that the
            labs built on one call per turn keep their behaviour; turn it on with
            ``dataclasses.replace(profile, parallel_tool_calls=True)`` or per request with
            ``bind_tools(..., parallel_tool_calls=True)`` (False there turns it off).
        structured_output_errors: whether outputs bound to a schema (function calling,
            json_schema, JSON mode) are sometimes invalid, at the rates of the family's
            behaviour card (by method, schema complexity and whether the prompt states the
            format; strict methods never). False in the catalog: the labs built on
            always-valid structured output keep it. JSON asked for in the prompt alone
            follows the card either way.
    """

    name: str
    version: str
    context_window: int
    max_output_tokens: int
    input_price_per_mtok: float
    output_price_per_mtok: float
    latency_base_s: float
    latency_per_output_token_s: float
    latency_jitter_s: float
    routing_accuracy: float
    handoff_error_rate: float
    hallucinated_tool_rate: float
    invalid_args_rate: float
    follows_injection_rate: float
    asks_when_ambiguous: float
    verbosity: float
    refusal_rate: float
    description: str = ""
    parallel_tool_calls: bool = False
    structured_output_errors: bool = False

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name in _RATES and not 0.0 <= value <= 1.0:
                raise ValueError(f"ModelProfile {self.name}: {field.name} must be in [0, 1]")
            if field.name in _POSITIVE and not value > 0:
                raise ValueError(f"ModelProfile {self.name}: {field.name} must be positive")

    @property
    def id(self) -> str:
        """``name@version``, e.g. ``"sim-large@2026-11"``: what spans and metadata report."""
        return f"{self.name}@{self.version}"

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """USD price of a call with these token counts.

        Example:
            >>> get_profile("sim-large@2026-11").cost(1_000_000, 0)
            2.5
        """
        return (
            input_tokens * self.input_price_per_mtok + output_tokens * self.output_price_per_mtok
        ) / 1_000_000

    def __repr__(self) -> str:
        return f"ModelProfile({self.id!r})"


_RATES = {
    "routing_accuracy",
    "handoff_error_rate",
    "hallucinated_tool_rate",
    "invalid_args_rate",
    "follows_injection_rate",
    "asks_when_ambiguous",
    "verbosity",
    "refusal_rate",
}
_POSITIVE = {"context_window", "max_output_tokens"}


def _small(version: str, **changes: object) -> ModelProfile:
    base = ModelProfile(
        name="sim-small",
        version=version,
        context_window=8_192,
        max_output_tokens=2_048,
        input_price_per_mtok=0.15,
        output_price_per_mtok=0.60,
        latency_base_s=0.25,
        latency_per_output_token_s=0.008,
        latency_jitter_s=0.10,
        routing_accuracy=0.85,
        handoff_error_rate=0.10,
        hallucinated_tool_rate=0.06,
        invalid_args_rate=0.08,
        follows_injection_rate=0.35,
        asks_when_ambiguous=0.55,
        verbosity=0.2,
        refusal_rate=0.02,
        description="small, cheap and fast; misroutes and slips more often",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _large(version: str, **changes: object) -> ModelProfile:
    base = ModelProfile(
        name="sim-large",
        version=version,
        context_window=32_768,
        max_output_tokens=4_096,
        input_price_per_mtok=2.50,
        output_price_per_mtok=10.00,
        latency_base_s=0.60,
        latency_per_output_token_s=0.020,
        latency_jitter_s=0.25,
        routing_accuracy=0.97,
        handoff_error_rate=0.02,
        hallucinated_tool_rate=0.01,
        invalid_args_rate=0.02,
        follows_injection_rate=0.10,
        asks_when_ambiguous=0.90,
        verbosity=0.5,
        refusal_rate=0.01,
        description="large, accurate, slower and pricier",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# The 2026-11 snapshots are the "model update" of the drift labs: the same family, shifted.
_PROFILES: tuple[ModelProfile, ...] = (
    _small("2026-06"),
    _small(
        "2026-11",
        context_window=16_384,
        routing_accuracy=0.88,
        handoff_error_rate=0.08,
        hallucinated_tool_rate=0.05,
        invalid_args_rate=0.06,
        follows_injection_rate=0.45,
        asks_when_ambiguous=0.40,
        verbosity=0.3,
        refusal_rate=0.01,
    ),
    _large("2026-06"),
    _large(
        "2026-11",
        routing_accuracy=0.96,
        handoff_error_rate=0.03,
        hallucinated_tool_rate=0.02,
        follows_injection_rate=0.30,
        asks_when_ambiguous=0.60,
        verbosity=0.7,
        refusal_rate=0.005,
    ),
    _large(
        "2026-11",
        name="sim-large-long",
        context_window=131_072,
        input_price_per_mtok=5.00,
        output_price_per_mtok=15.00,
        latency_base_s=1.20,
        latency_per_output_token_s=0.025,
        routing_accuracy=0.96,
        handoff_error_rate=0.03,
        hallucinated_tool_rate=0.02,
        follows_injection_rate=0.30,
        asks_when_ambiguous=0.60,
        verbosity=0.7,
        refusal_rate=0.005,
        description="sim-large with a 4x context window, for long-prompt fallbacks; pricier",
    ),
)

_BY_ID: dict[str, ModelProfile] = {p.id: p for p in _PROFILES}
# Versions are ISO year-months, so the string maximum is the newest.
_NEWEST: dict[str, ModelProfile] = {}
for _p in _PROFILES:
    if _p.name not in _NEWEST or _p.version > _NEWEST[_p.name].version:
        _NEWEST[_p.name] = _p
del _p


def _known_names() -> list[str]:
    return sorted(_NEWEST) + sorted(_BY_ID)


def get_profile(name: str | ModelProfile) -> ModelProfile:
    """Look up a profile by id (``"sim-large@2026-06"``) or bare name (newest version).

    Args:
        name: a profile id or family name; a ``ModelProfile`` is returned as is.

    Raises:
        UnknownProfileError: the name is not in the catalog (the message lists known ones).

    Example:
        >>> get_profile("sim-large").id
        'sim-large@2026-11'
    """
    if isinstance(name, ModelProfile):
        return name
    if isinstance(name, str):
        key = name.strip()
        found = _BY_ID.get(key) or _NEWEST.get(key)
        if found is not None:
            return found
    raise UnknownProfileError(name, _known_names())


def list_profiles() -> list[ModelProfile]:
    """Every profile in the catalog, sorted by id."""
    return sorted(_PROFILES, key=lambda p: p.id)
