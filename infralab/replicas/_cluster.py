"""Replicas, partitions on the clock, and a schedule runner that counts CAP's costs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from infralab.clock import Clock, current_clock


class Unreachable(ConnectionError):
    """The replica cannot be reached from the caller's replica now (a partition is in force)."""


class Unavailable(RuntimeError):
    """A policy refused an operation (for example, no quorum is reachable). Raise it from reads."""


@dataclass(frozen=True)
class Versioned:
    """A value as one replica stores it.

    Attributes:
        value: the value (plain data).
        version: a tuple compared lexicographically, e.g. ``(counter, writer)`` or
            ``(timestamp, writer)``; a replica keeps the highest version it was sent.
    """

    value: Any
    version: tuple

    def to_dict(self) -> dict[str, Any]:
        """As JSON data."""
        return {"value": self.value, "version": list(self.version)}


@dataclass(frozen=True)
class _Partition:
    groups: tuple[frozenset[int], ...]
    start: float
    end: float


class Cluster:
    """``n`` replicas of a key-value store and the partitions between them over time.

    Args:
        n: number of replicas (ids ``0 .. n-1``), at least 1.
        clock: the clock partitions are scheduled on; None reads ``current_clock()`` at each
            request.

    Attributes:
        log: one dict per replica request: ``t``, ``op`` (``"read"``/``"write"``), ``via``,
            ``replica``, ``key``, ``ok`` (False when the replica was unreachable).
    """

    def __init__(self, n: int = 3, *, clock: Clock | None = None) -> None:
        if type(n) is not int or n < 1:
            raise ValueError(f"a cluster needs at least 1 replica, got n={n!r}")
        self.n = n
        self._clock = clock
        self._stores: list[dict[str, Versioned]] = [{} for _ in range(n)]
        self._partitions: list[_Partition] = []
        self.log: list[dict[str, Any]] = []

    @property
    def clock(self) -> Clock:
        """The clock in force: the one given, else ``current_clock()``."""
        return self._clock or current_clock()

    def __repr__(self) -> str:
        return f"Cluster(n={self.n}, partitions={len(self._partitions)}, t={self.clock.now():g})"

    # -- the network -----------------------------------------------------------------------
    def partition(self, groups: Iterable[Iterable[int]], *, start: float, end: float) -> None:
        """Split the network into ``groups`` from ``start`` (inclusive) to ``end`` (exclusive).

        Replicas in different groups cannot reach each other in that window; a replica left
        out of every group is isolated. Windows may overlap: then a pair must share a group in
        each of them.

        Raises:
            ValueError: a replica id out of range or in two groups, or ``end <= start``.
        """
        sets = tuple(frozenset(g) for g in groups)
        seen: set[int] = set()
        for g in sets:
            for r in g:
                if type(r) is not int or not 0 <= r < self.n:
                    raise ValueError(f"replica {r!r} is not in 0..{self.n - 1}")
                if r in seen:
                    raise ValueError(f"replica {r} is in two groups of one partition")
                seen.add(r)
        if not end > start:
            raise ValueError(f"a partition needs end > start, got start={start}, end={end}")
        self._partitions.append(_Partition(sets, float(start), float(end)))

    def reachable(self, a: int, b: int) -> bool:
        """Whether replica ``a`` can reach replica ``b`` now (a replica always reaches itself)."""
        self._check(a)
        self._check(b)
        if a == b:
            return True
        now = self.clock.now()
        for p in self._partitions:
            if p.start <= now < p.end and not any(a in g and b in g for g in p.groups):
                return False
        return True

    def reachable_from(self, via: int) -> list[int]:
        """The replicas ``via`` can reach now, ``via`` included, in increasing order."""
        return [r for r in range(self.n) if self.reachable(via, r)]

    def partitioned(self) -> bool:
        """Whether some partition is in force now."""
        now = self.clock.now()
        return any(p.start <= now < p.end for p in self._partitions)

    # -- requests --------------------------------------------------------------------------
    def read_replica(self, via: int, replica: int, key: str) -> Versioned | None:
        """What ``replica`` stores under ``key`` (None if nothing), asked from ``via``.

        Raises:
            Unreachable: ``replica`` cannot be reached from ``via`` now.
        """
        ok = self.reachable(via, replica)
        self._record("read", via, replica, key, ok)
        if not ok:
            raise Unreachable(f"replica {replica} is unreachable from replica {via}")
        return self._stores[replica].get(key)

    def write_replica(self, via: int, replica: int, key: str, value: Any, version: tuple) -> bool:
        """Send ``(value, version)`` for ``key`` to ``replica``; it keeps the higher version.

        Returns:
            True when the replica stored it, False when it already held an equal or higher
            version (the write is then ignored, as a last-writer-wins register does).

        Raises:
            Unreachable: ``replica`` cannot be reached from ``via`` now.
            TypeError: ``version`` is not a tuple.
        """
        if not isinstance(version, tuple):
            raise TypeError(f"a version is a tuple such as (counter, writer), got {version!r}")
        ok = self.reachable(via, replica)
        self._record("write", via, replica, key, ok)
        if not ok:
            raise Unreachable(f"replica {replica} is unreachable from replica {via}")
        current = self._stores[replica].get(key)
        if current is not None and current.version >= version:
            return False
        self._stores[replica][key] = Versioned(value, version)
        return True

    def reconcile(self) -> None:
        """Anti-entropy after the partitions heal: every replica takes the highest version.

        Raises:
            RuntimeError: a partition is still in force.
        """
        if self.partitioned():
            raise RuntimeError("reconcile after the partition heals: one is still in force")
        keys = {k for store in self._stores for k in store}
        for key in keys:
            best = max(
                (s[key] for s in self._stores if key in s), key=lambda v: (v.version, repr(v.value))
            )
            for store in self._stores:
                store[key] = best

    def snapshot(self) -> list[dict[str, dict[str, Any]]]:
        """Every replica's store as JSON data: ``[{key: {"value", "version"}}, ...]``."""
        return [{k: v.to_dict() for k, v in sorted(s.items())} for s in self._stores]

    def _check(self, r: int) -> None:
        if type(r) is not int or not 0 <= r < self.n:
            raise ValueError(f"replica {r!r} is not in 0..{self.n - 1}")

    def _record(self, op: str, via: int, replica: int, key: str, ok: bool) -> None:
        self.log.append(
            {"t": self.clock.now(), "op": op, "via": via, "replica": replica, "key": key, "ok": ok}
        )


def run_schedule(
    cluster: Cluster,
    operations: Sequence[Sequence[Any]],
    *,
    write: Callable[[Cluster, int, str, Any], bool],
    read: Callable[[Cluster, int, str], Any],
) -> dict[str, Any]:
    """Play reads and writes at given times against a policy and count CAP's costs.

    Args:
        cluster: the cluster, with its partitions scheduled; its clock must be a
            ``VirtualClock`` the runner can advance.
        operations: ``(t, "write", via, key, value)`` or ``(t, "read", via, key)``, in
            non-decreasing ``t``.
        write: the policy's write; returns True when it acknowledged the write, False when it
            refused it.
        read: the policy's read; returns the value (None when nothing is stored) or raises
            :class:`Unavailable` to refuse.

    Returns:
        ``operations`` and ``refused`` (counts), ``availability`` (share served),
        ``stale_reads`` (served reads whose value is not the latest acknowledged write of the
        key, when there is one), ``lost_updates`` (acknowledged writes of a key made after the
        last acknowledged write whose value survives :meth:`Cluster.reconcile` once the
        partitions have healed: acknowledged, then silently dropped), ``final`` (each key's
        value after reconciliation) and ``events``: one dict per operation
        (``t``, ``op``, ``via``, ``key``, ``value``, ``outcome``: ``"ok"``, ``"refused"`` or
        ``"stale"``).
    """
    latest: dict[str, Any] = {}  # key -> value of the latest acknowledged write
    acknowledged: dict[str, list[tuple[float, Any]]] = {}
    events: list[dict[str, Any]] = []
    refused = stale = 0
    for op in operations:
        t, kind, via, key = op[0], op[1], op[2], op[3]
        if t > cluster.clock.now():
            cluster.clock.advance_to(t)  # type: ignore[attr-defined]
        event: dict[str, Any] = {"t": t, "op": kind, "via": via, "key": key}
        if kind == "write":
            value = op[4]
            event["value"] = value
            if write(cluster, via, key, value):
                latest[key] = value
                acknowledged.setdefault(key, []).append((t, value))
                event["outcome"] = "ok"
            else:
                refused += 1
                event["outcome"] = "refused"
        elif kind == "read":
            try:
                value = read(cluster, via, key)
            except Unavailable:
                refused += 1
                event.update(value=None, outcome="refused")
            else:
                event["value"] = value
                is_stale = key in latest and value != latest[key]
                stale += is_stale
                event["outcome"] = "stale" if is_stale else "ok"
        else:
            raise ValueError(f"operation {op!r}: the kind is 'read' or 'write'")
        events.append(event)
    last_t = max((p.end for p in cluster._partitions), default=0.0)
    if last_t > cluster.clock.now():
        cluster.clock.advance_to(last_t)  # type: ignore[attr-defined]
    cluster.reconcile()
    final = {k: v["value"] for k, v in cluster.snapshot()[0].items()}
    # A write is lost when the value that survives is not the latest acknowledged one: the
    # writes acknowledged after the surviving one were silently dropped.
    lost = 0
    for key, writes in acknowledged.items():
        surviving = final.get(key)
        last_index = max((i for i, (_, v) in enumerate(writes) if v == surviving), default=-1)
        lost += len(writes) - 1 - last_index
    n = len(operations)
    return {
        "operations": n,
        "refused": refused,
        "availability": (n - refused) / n if n else 1.0,
        "stale_reads": stale,
        "lost_updates": lost,
        "final": final,
        "events": events,
    }
