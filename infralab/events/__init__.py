"""Redis for event-driven agents: an embedded server by default, a real one with ``REDIS_URL``.

:func:`connect` returns a ``redis.Redis`` client (``decode_responses=True``: keys, fields and
values come back as ``str``). Without a URL and without ``$REDIS_URL`` it talks to a fresh
in-process Redis (`fakeredis <https://github.com/cunla/fakeredis-py>`_, which implements
Streams, consumer groups, ``XAUTOCLAIM``, ``WATCH``/``MULTI``), so a learner needs nothing
installed and nothing leaves the process. With ``REDIS_URL=redis://127.0.0.1:6379/0`` the same
code runs against a real server.

Time: the embedded server reads :func:`infralab.clock.current_clock` for everything that
depends on time (stream entry ids made by ``XADD *``, the idle time ``XAUTOCLAIM`` and
``XPENDING`` compare with ``min-idle-time``), so on a ``VirtualClock`` a consumer's entries
become claimable exactly when the clock reaches the threshold, to the millisecond, in every
run. A real server reads its own wall clock: ids and idle times then follow real time.

Introduced in lab ``a4-state-and-events``.

Example:
    >>> from infralab.events import connect
    >>> r = connect()
    >>> first = r.xadd("tickets", {"customer": "C001"})  # ms of the current clock, then a sequence
    >>> r.xadd("tickets", {"customer": "C002"}) == first[:-1] + "1"  # same instant: next sequence
    True
"""

from __future__ import annotations

from infralab.events._redis import (
    RedisUnavailableError,
    connect,
    embedded_redis,
    redis_url,
)

__all__ = ["connect", "embedded_redis", "redis_url", "RedisUnavailableError"]
