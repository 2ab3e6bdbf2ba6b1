"""Deterministic draws: every "random" choice of the simulator is a hash of its inputs.

``hashlib.blake2b`` of (profile id, seed, ..., purpose) gives the same number in every process
and in any call order, unlike ``random`` (global state) or ``hash()`` (salted per process).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Draws", "KeptDraws", "Reply", "canonical"]

_SCALE = float(1 << 64)


# One shared encoder: json.dumps with options builds a new one per call (it keeps no state).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def canonical(value: Any) -> str:
    """A stable text form of JSON-like data (sorted keys, no whitespace)."""
    return _CANONICAL.encode(value)


class Draws:
    """Uniform draws in [0, 1) keyed by a byte string plus a purpose.

    Args:
        *parts: what the draws depend on (joined with a separator that cannot occur in text).
    """

    __slots__ = ("_key",)

    def __init__(self, *parts: str | bytes) -> None:
        h = hashlib.blake2b(digest_size=16)
        for part in parts:
            h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00\x1f")
        self._key = h.digest()

    @property
    def key(self) -> bytes:
        return self._key

    def _bytes(self, purpose: str) -> bytes:
        return hashlib.blake2b(purpose.encode(), key=self._key, digest_size=16).digest()

    def uniform(self, purpose: str) -> float:
        """A number in [0, 1), the same for the same key and purpose."""
        return int.from_bytes(self._bytes(purpose)[:8], "big") / _SCALE

    def chance(self, purpose: str, p: float) -> bool:
        """True with probability ``p``."""
        return p > 0 and self.uniform(purpose) < p

    def index(self, purpose: str, n: int) -> int:
        """An index in ``range(n)`` (``n`` must be positive)."""
        return int(self.uniform(purpose) * n) % n

    def hex(self, purpose: str, length: int = 24) -> str:
        """Hex digits, for ids like ``call_<hex>``."""
        return self._bytes(purpose).hex()[:length]

    def child(self, *parts: str) -> Draws:
        """Draws keyed by this key plus more parts."""
        return Draws(self._key, *parts)


class KeptDraws(Draws):
    """:class:`Draws` that remember each purpose's bytes: for draws objects that are kept
    themselves (the oracle's per-scenario and per-step draws), so that a loop over one
    scenario hashes each purpose once. Same numbers as ``Draws`` with the same parts."""

    __slots__ = ("_memo",)

    def __init__(self, *parts: str | bytes) -> None:
        super().__init__(*parts)
        self._memo: dict[str, bytes] = {}

    def _bytes(self, purpose: str) -> bytes:
        hit = self._memo.get(purpose)
        if hit is None:
            hit = self._memo[purpose] = super()._bytes(purpose)
        return hit


@dataclass
class Reply:
    """What the model says, before it becomes an ``AIMessage``.

    Attributes:
        content: the text.
        tool_calls: ``{"name", "args", "id" (optional)}`` dicts.
        finish_reason: ``"stop"``, ``"tool_calls"``, ``"length"``, ... (derived if None).
        usage: explicit ``usage_metadata`` from a scripted ``AIMessage``, else None.
        source: ``"script"``, ``"oracle"`` or ``"rules"`` (reported in ``response_metadata``).
        extra: more ``response_metadata`` (the oracle records its decision here).
    """

    content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    source: str = "rules"
    extra: dict[str, Any] = field(default_factory=dict)
