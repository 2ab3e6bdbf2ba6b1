"""Validation helpers for fault plans: the error type and small field checkers.

Checkers raise :class:`FaultPlanError` with the field name as the path; the plan loader then
prefixes the rule's position (``rules[1].``) and the source file, so a learner sees exactly
which line of which YAML file to fix.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["FaultPlanError"]


class FaultPlanError(ValueError):
    """A fault plan is malformed.

    The message names the source (file) when there is one, the line when known, and the field
    path, e.g. ``datasets/incidents/brownout.yaml:14: rules[1].error_rate: must be between 0
    and 1, got 1.5``.

    Attributes:
        reason: what is wrong, without location.
        path: the field path inside the plan (``rules[1].error_rate``), or ``""``.
        source: the file (or other label) the plan came from, or None.
        line: the 1-based line in ``source``, when known.
    """

    def __init__(
        self, reason: str, *, path: str = "", source: str | None = None, line: int | None = None
    ) -> None:
        self.reason = reason
        self.path = path
        self.source = source
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.reason}"

    def within(self, prefix: str) -> FaultPlanError:
        """The same error with ``prefix`` (e.g. ``rules[1]``) put before its path."""
        path = f"{prefix}.{self.path}" if self.path and prefix else (prefix or self.path)
        return FaultPlanError(self.reason, path=path, source=self.source, line=self.line)

    def located(self, source: str | None, line: int | None) -> FaultPlanError:
        """The same error attributed to ``source`` (and ``line`` when known)."""
        return FaultPlanError(self.reason, path=self.path, source=source, line=line)

    def __reduce__(self):  # picklable with its keyword fields (errors cross process pipes)
        return (_rebuild, (self.reason, self.path, self.source, self.line))


def _rebuild(reason: str, path: str, source: str | None, line: int | None) -> FaultPlanError:
    return FaultPlanError(reason, path=path, source=source, line=line)


def is_number(value: Any) -> bool:
    # bool is an int subclass; `error_rate: true` is a typo, not 1.0
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(value: Any, field: str, *, minimum: float = 0.0, strict: bool = False) -> float:
    """A finite number >= minimum (> minimum when strict), as float."""
    if not is_number(value) or not math.isfinite(value):
        raise FaultPlanError(f"must be a number, got {value!r}", path=field)
    if value < minimum or (strict and value == minimum):
        op = ">" if strict else ">="
        raise FaultPlanError(f"must be {op} {minimum:g}, got {value!r}", path=field)
    return float(value)


def optional_number(value: Any, field: str, **kw: Any) -> float | None:
    return None if value is None else number(value, field, **kw)


def probability(value: Any, field: str) -> float:
    if not is_number(value) or not 0 <= value <= 1:
        raise FaultPlanError(f"must be between 0 and 1, got {value!r}", path=field)
    return float(value)


def count(value: Any, field: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise FaultPlanError(f"must be an integer >= {minimum}, got {value!r}", path=field)
    return value


def optional_count(value: Any, field: str, **kw: Any) -> int | None:
    return None if value is None else count(value, field, **kw)


def status(value: Any, field: str, allowed: tuple[int, ...]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
        choices = ", ".join(map(str, allowed))
        raise FaultPlanError(f"must be one of {choices}, got {value!r}", path=field)
    return value


def models(value: Any, field: str) -> tuple[str, ...] | None:
    """None (every model) or a non-empty list of model patterns, kept as a tuple."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise FaultPlanError(
            f"must be a list of models, e.g. [sim-large] or [sim-*], got {value!r}", path=field
        )
    if not value:
        raise FaultPlanError("must not be empty (leave it out to target every model)", path=field)
    for i, prefix in enumerate(value):
        if not isinstance(prefix, str) or not prefix:
            raise FaultPlanError(
                f"must be a non-empty string, got {prefix!r}", path=f"{field}[{i}]"
            )
    return tuple(value)
