"""Virtual and real time, and the clock that is current.

One clock is current at a time (per thread and asyncio task, through a context variable).
The simulated provider "sleeps" on it, fault rules and circuit breakers read it, and spans
are stamped from it, so a ten-minute outage drill runs in milliseconds and always gives the
same timeline. Real time is only used with a real model.

Introduced in lab ``00-orientation``; used by every lab.

Example:
    >>> from infralab.clock import VirtualClock, use_clock, current_clock
    >>> with use_clock(VirtualClock()) as clock:
    ...     current_clock().sleep(90)
    ...     clock.now()
    90.0
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "Clock",
    "RealClock",
    "VirtualClock",
    "VIRTUAL_EPOCH_NS",
    "current_clock",
    "set_clock",
    "use_clock",
]

#: Wall-clock time (ns since the Unix epoch) that virtual time 0.0 maps to: 2026-01-01T00:00:00Z.
#: Fixed, so that span timestamps are the same in every run.
VIRTUAL_EPOCH_NS = 1_767_225_600_000_000_000


class Clock(ABC):
    """A source of monotonic time in seconds, and a way to wait on it."""

    @abstractmethod
    def now(self) -> float:
        """Seconds since this clock's origin. Never decreases."""

    @abstractmethod
    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a virtual clock advances instead of waiting)."""

    async def asleep(self, seconds: float) -> None:
        """Async form of :meth:`sleep`."""
        self.sleep(seconds)

    @abstractmethod
    def time_ns(self) -> int:
        """Wall-clock nanoseconds since the Unix epoch, for span timestamps."""

    @staticmethod
    def _check_duration(seconds: float) -> float:
        seconds = float(seconds)
        if seconds != seconds or seconds < 0:  # NaN or negative
            raise ValueError(
                f"a duration must be a non-negative number of seconds, got {seconds!r}"
            )
        return seconds


class RealClock(Clock):
    """The machine's monotonic clock. Used with a real model (``INFRALAB_MODEL``)."""

    def __init__(self) -> None:
        self._origin = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._origin

    def sleep(self, seconds: float) -> None:
        time.sleep(self._check_duration(seconds))

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(self._check_duration(seconds))

    def time_ns(self) -> int:
        return time.time_ns()

    def __repr__(self) -> str:
        return f"RealClock(now={self.now():.3f})"


class VirtualClock(Clock):
    """Simulated time: :meth:`sleep` and :meth:`advance` move it forward instantly.

    Deterministic: it moves only when told to, so the same program gives the same timeline.
    Thread-safe, because LangGraph runs parallel branches in threads that share one clock.

    Args:
        start: the initial reading of :meth:`now`, in seconds.
        epoch_ns: wall-clock time (ns) that reading 0.0 maps to in :meth:`time_ns`.
    """

    def __init__(self, start: float = 0.0, *, epoch_ns: int = VIRTUAL_EPOCH_NS) -> None:
        self._now = self._check_duration(start)
        self._epoch_ns = int(epoch_ns)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` and return the new reading."""
        seconds = self._check_duration(seconds)
        with self._lock:
            self._now += seconds
            return self._now

    def advance_to(self, t: float) -> float:
        """Move time forward to ``t``; a time in the past is an error (time is monotonic)."""
        with self._lock:
            if t < self._now:
                raise ValueError(f"cannot move a VirtualClock back from {self._now} to {t}")
            self._now = float(t)
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)  # still yield to the event loop, as a real sleep would

    def time_ns(self) -> int:
        return self._epoch_ns + round(self._now * 1e9)

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now:.3f})"


# The process starts on virtual time: labs and grading never depend on the wall clock.
_default_clock: Clock = VirtualClock()
_current: contextvars.ContextVar[Clock | None] = contextvars.ContextVar(
    "infralab_clock", default=None
)


def current_clock() -> Clock:
    """The clock in force here: the innermost :func:`use_clock`, else the process default."""
    clock = _current.get()
    return _default_clock if clock is None else clock


def set_clock(clock: Clock) -> Clock:
    """Make ``clock`` the process-wide default (what a notebook does once); returns the old one."""
    global _default_clock
    if not isinstance(clock, Clock):
        raise TypeError(f"set_clock needs a Clock, got {type(clock).__name__}")
    old, _default_clock = _default_clock, clock
    return old


@contextmanager
def use_clock(clock: Clock | None = None) -> Iterator[Clock]:
    """Make ``clock`` (a fresh :class:`VirtualClock` if None) current inside the block."""
    clock = VirtualClock() if clock is None else clock
    if not isinstance(clock, Clock):
        raise TypeError(f"use_clock needs a Clock, got {type(clock).__name__}")
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
