"""Silent model updates: a provider alias whose snapshot changes at a given virtual time.

Hosted providers serve an alias (``gpt-4o``, ``claude-3-5-sonnet-latest``) and move it to a
new snapshot on their own schedule; the only trace in the traffic is the snapshot name in each
response (OpenAI's ``model`` field, Anthropic's ``model``). A :class:`Rollout` does the same on
the virtual clock: ``SimChatModel(profile=Rollout(...))`` asks for the alias, each call is
served by the version current at the call's start, and that version is what the response's
``response_metadata["model_name"]``/``["model_version"]`` report. The behaviour shifts between
versions are documented in docs/model-versions.md.

Introduced for lab ``b2-drift``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from infralab.llm._catalog import ModelProfile, get_profile

__all__ = ["Rollout"]


@dataclass(frozen=True, init=False)
class Rollout:
    """An alias that resolves to a different profile version from given virtual times on.

    Args:
        alias: the name clients ask for, e.g. ``"sim-large"`` (a catalog family).
        schedule: ``{from_virtual_second: profile}``, each profile an id or a
            :class:`ModelProfile` of the alias's family. The earliest entry also serves any
            call before its time.

    Raises:
        ValueError: an empty schedule, a time that is not a finite number, or a profile of
            another family.
        UnknownProfileError: a profile id that is not in the catalog.

    Example:
        >>> r = Rollout("sim-large", {0.0: "sim-large@2026-06", 3600.0: "sim-large@2026-11"})
        >>> r.version_at(3599.0).id, r.version_at(3600.0).id
        ('sim-large@2026-06', 'sim-large@2026-11')
    """

    alias: str
    steps: tuple[tuple[float, ModelProfile], ...]

    def __init__(self, alias: str, schedule: Mapping[float, str | ModelProfile]) -> None:
        if not isinstance(alias, str) or not alias.strip():
            raise ValueError("Rollout needs an alias, e.g. 'sim-large'")
        if not schedule:
            raise ValueError("Rollout needs at least one (time, profile) step")
        steps: list[tuple[float, ModelProfile]] = []
        for at, profile in schedule.items():
            if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
                raise ValueError(f"Rollout {alias}: step time {at!r} is not a finite number")
            prof = get_profile(profile)
            if prof.name != alias.strip():
                raise ValueError(
                    f"Rollout {alias}: {prof.id} is not a version of {alias!r} "
                    "(an alias moves between snapshots of one model)"
                )
            steps.append((float(at), prof))
        object.__setattr__(self, "alias", alias.strip())
        object.__setattr__(self, "steps", tuple(sorted(steps, key=lambda s: s[0])))

    @classmethod
    def silent_update(
        cls, alias: str, *, at: float, before: str | ModelProfile, after: str | ModelProfile
    ) -> Rollout:
        """The usual case: ``before`` serves until virtual second ``at``, ``after`` from then on.

        Example:
            >>> Rollout.silent_update(
            ...     "sim-large", at=60.0, before="sim-large@2026-06", after="sim-large@2026-11"
            ... ).version_at(60.0).version
            '2026-11'
        """
        if not at > 0:
            raise ValueError(f"Rollout {alias}: the update time must be after 0, got {at!r}")
        return cls(alias, {0.0: before, at: after})

    def version_at(self, now: float) -> ModelProfile:
        """The profile that serves a call starting at virtual second ``now``."""
        current = self.steps[0][1]
        for at, prof in self.steps:
            if now >= at:
                current = prof
            else:
                break
        return current

    @property
    def first(self) -> ModelProfile:
        """The version served before any later step (used for capability metadata)."""
        return self.steps[0][1]

    def __repr__(self) -> str:
        schedule = ", ".join(f"{at:g}: {prof.id!r}" for at, prof in self.steps)
        return f"Rollout({self.alias!r}, {{{schedule}}})"
