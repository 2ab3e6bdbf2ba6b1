"""Replicas of an agent's memory store on the virtual clock, and network partitions between them.

A :class:`Cluster` holds ``n`` replicas, each a key -> :class:`Versioned` map, and a schedule of
network partitions on the current clock (:meth:`Cluster.partition`). Code that implements a
consistency policy (quorum reads and writes for CP, local reads and last-writer-wins for AP)
talks to the replicas only through :meth:`Cluster.read_replica` and
:meth:`Cluster.write_replica`, which refuse (:class:`Unreachable`) a replica the caller cannot
reach at that moment, exactly as a partitioned network drops the request. Every request is
logged in :attr:`Cluster.log`, so a policy's messages can be counted.

:func:`run_schedule` plays a list of reads and writes against a policy and counts what CAP is
about: operations refused (availability), stale reads (a read that misses the latest
acknowledged write) and lost updates (acknowledged writes that no replica keeps once the
partition heals and the replicas reconcile).

Introduced in lab ``a4-state-and-events``.

Example:
    >>> from infralab.clock import VirtualClock
    >>> cluster = Cluster(3, clock=VirtualClock())
    >>> cluster.partition([[0], [1, 2]], start=10.0, end=20.0)
    >>> cluster.clock.advance(10.0)
    10.0
    >>> cluster.reachable_from(1)
    [1, 2]
"""

from __future__ import annotations

from infralab.replicas._cluster import (
    Cluster,
    Unavailable,
    Unreachable,
    Versioned,
    run_schedule,
)

__all__ = ["Cluster", "Versioned", "Unreachable", "Unavailable", "run_schedule"]
