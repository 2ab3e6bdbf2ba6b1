"""The Redis connection: fakeredis on the current clock, or a real server from a URL."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from infralab.clock import current_clock

#: The environment variable that points :func:`connect` at a real server.
REDIS_URL_VARIABLE = "REDIS_URL"

_install_lock = threading.Lock()
_installed = False


class RedisUnavailableError(ConnectionError):
    """A real Redis server was asked for (a URL) but does not answer."""


def redis_url() -> str | None:
    """The real server :func:`connect` would use: ``$REDIS_URL``, or None for the embedded one."""
    return os.environ.get(REDIS_URL_VARIABLE) or None


def _virtual_ms() -> int:
    # fakeredis's notion of "now" in ms since the epoch, from the current clock: a
    # VirtualClock maps 0.0 to 2026-01-01T00:00:00Z, so ids and idle times are the same in
    # every run and move only when the clock does.
    return current_clock().time_ns() // 1_000_000


class _ClockTime:
    """Stands in for the ``time`` module where fakeredis's stream model reads the wall clock."""

    def time(self) -> float:
        return current_clock().time_ns() / 1e9

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _use_current_clock() -> None:
    """Make every fakeredis module read the current clock instead of ``time.time()``.

    fakeredis reads time through ``fakeredis._helpers.current_time`` (ms), imported by name
    into the modules that need it (streams, hashes, ...), so each module's reference is
    replaced; the stream model's ``XADD *`` ids read ``time.time()``, so its ``time`` is
    replaced too. Key expiry (TTL) still follows the wall clock: the labs do not use it. Done once per process; a fakeredis release that reads time elsewhere makes
    ``tests/test_events.py`` (idle threshold on a virtual clock) fail loudly.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        from fakeredis import _helpers
        from fakeredis.model import _stream

        original = _helpers.current_time
        for name, module in list(sys.modules.items()):
            if name.startswith("fakeredis") and getattr(module, "current_time", None) is original:
                module.current_time = _virtual_ms  # type: ignore[attr-defined]
        # XADD's "*" ids read time.time() directly in the stream model.
        _stream.time = _ClockTime()  # type: ignore[assignment]
        _installed = True


def embedded_redis() -> Any:
    """A client of a fresh in-process Redis (fakeredis) that keeps time on the current clock.

    Each call starts an empty server; keep the client (or make more with
    ``redis.Redis(connection_pool=r.connection_pool)``) to share one.
    """
    import fakeredis

    # Import the stream and hash modules before patching so their references are replaced.
    import fakeredis.commands_mixins.streams_mixin  # noqa: F401
    import fakeredis.model._stream  # noqa: F401

    _use_current_clock()
    return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)


def connect(url: str | None = None) -> Any:
    """A Redis client: the real server at ``url`` (or ``$REDIS_URL``), else an embedded one.

    Args:
        url: ``redis://host:port/db``; None reads ``$REDIS_URL``; with neither, a fresh
            in-process server (:func:`embedded_redis`).

    Returns:
        a ``redis.Redis`` with ``decode_responses=True``.

    Raises:
        RedisUnavailableError: a URL was given (or set) and the server does not answer a PING;
            the message names the URL and where it came from.
    """
    source = "the url argument"
    if url is None:
        url, source = redis_url(), f"${REDIS_URL_VARIABLE}"
    if url is None:
        return embedded_redis()
    import redis

    client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailableError(
            f"no Redis server answers at {url} (from {source}): {exc}. Start one "
            f"(redis-server --port <port>) or unset {REDIS_URL_VARIABLE} to use the embedded one."
        ) from exc
    return client
