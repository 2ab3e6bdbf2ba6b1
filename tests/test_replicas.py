"""infralab.replicas: do partitions follow the virtual clock, do replicas keep the highest
version and refuse what a partition cuts off, and does run_schedule count refusals, stale
reads and lost updates the way lab a4-state-and-events explains them?"""

from __future__ import annotations

import pytest

from infralab.clock import VirtualClock, use_clock
from infralab.replicas import Cluster, Unavailable, Unreachable, Versioned, run_schedule


def test_partition_window_is_start_inclusive_end_exclusive():
    clock = VirtualClock()
    c = Cluster(3, clock=clock)
    c.partition([[0], [1, 2]], start=10.0, end=20.0)
    assert c.reachable_from(0) == [0, 1, 2] and not c.partitioned()
    clock.advance_to(10.0)
    assert c.partitioned()
    assert c.reachable_from(0) == [0] and c.reachable_from(2) == [1, 2]
    assert c.reachable(0, 0), "a replica always reaches itself"
    clock.advance_to(19.999)
    assert c.reachable_from(1) == [1, 2]
    clock.advance_to(20.0)
    assert c.reachable_from(0) == [0, 1, 2]


def test_left_out_replicas_are_isolated_and_windows_overlap():
    clock = VirtualClock()
    c = Cluster(4, clock=clock)
    c.partition([[0, 1], [2]], start=0.0, end=10.0)  # replica 3 in no group: isolated
    c.partition([[0], [1, 2, 3]], start=5.0, end=15.0)
    assert c.reachable_from(3) == [3] and c.reachable_from(0) == [0, 1]
    clock.advance_to(5.0)
    assert c.reachable_from(0) == [0] and c.reachable_from(1) == [1]
    clock.advance_to(10.0)
    assert c.reachable_from(1) == [1, 2, 3]


def test_bad_partitions_and_replica_ids_are_refused():
    c = Cluster(3, clock=VirtualClock())
    with pytest.raises(ValueError, match="two groups"):
        c.partition([[0, 1], [1, 2]], start=0, end=1)
    with pytest.raises(ValueError, match="not in 0..2"):
        c.partition([[0, 3]], start=0, end=1)
    with pytest.raises(ValueError, match="end > start"):
        c.partition([[0]], start=2, end=2)
    with pytest.raises(ValueError, match="not in 0..2"):
        c.read_replica(0, 5, "k")
    with pytest.raises(ValueError, match="at least 1"):
        Cluster(0)
    with pytest.raises(TypeError, match="tuple"):
        c.write_replica(0, 0, "k", 1, [1, 0])


def test_replicas_keep_the_highest_version_and_log_every_request():
    clock = VirtualClock()
    c = Cluster(2, clock=clock)
    assert c.write_replica(0, 1, "k", "a", (2, 0)) is True
    assert c.write_replica(0, 1, "k", "b", (1, 1)) is False, "an older version is ignored"
    assert c.write_replica(0, 1, "k", "c", (2, 0)) is False, "an equal version is ignored"
    assert c.read_replica(1, 1, "k") == Versioned("a", (2, 0))
    assert c.read_replica(1, 0, "k") is None
    c.partition([[0], [1]], start=1.0, end=2.0)
    clock.advance_to(1.0)
    with pytest.raises(Unreachable):
        c.read_replica(0, 1, "k")
    assert [(e["op"], e["replica"], e["ok"]) for e in c.log][-1] == ("read", 1, False)
    assert len(c.log) == 6
    with pytest.raises(RuntimeError, match="still in force"):
        c.reconcile()
    clock.advance_to(2.0)
    c.reconcile()
    assert c.snapshot() == [{"k": {"value": "a", "version": [2, 0]}}] * 2


def test_cluster_without_a_clock_reads_the_current_one():
    c = Cluster(2)
    c.partition([[0], [1]], start=5.0, end=6.0)
    with use_clock(VirtualClock(5.5)):
        assert c.reachable_from(0) == [0]
    with use_clock(VirtualClock(6.0)):
        assert c.reachable_from(0) == [0, 1]


def _lww_write(cluster, via, key, value):
    version = (cluster.clock.now(), via)
    for r in cluster.reachable_from(via):
        cluster.write_replica(via, r, key, value, version)
    return True


def _local_read(cluster, via, key):
    v = cluster.read_replica(via, via, key)
    return None if v is None else v.value


def _refusing_read(cluster, via, key):
    if cluster.partitioned():
        raise Unavailable("no quorum")
    return _local_read(cluster, via, key)


def test_run_schedule_counts_stale_reads_refusals_and_lost_updates():
    c = Cluster(3, clock=VirtualClock())
    c.partition([[0], [1, 2]], start=10.0, end=30.0)
    skew = {0: -15.0, 1: 0.0, 2: 0.0}

    def skewed_write(cluster, via, key, value):
        version = (cluster.clock.now() + skew[via], via)
        for r in cluster.reachable_from(via):
            cluster.write_replica(via, r, key, value, version)
        return True

    ops = [
        [1.0, "write", 1, "k", 100],
        [12.0, "write", 2, "k", 80],  # replica 0 does not see it
        [13.0, "read", 0, "k"],  # stale: 100
        [25.0, "write", 0, "k", 55],  # stamped 10.0: loses to 80 after the partition
        [26.0, "read", 1, "k"],  # stale: 80, the latest acknowledged is 55
    ]
    res = run_schedule(c, ops, write=skewed_write, read=_local_read)
    assert [e["outcome"] for e in res["events"]] == ["ok", "ok", "stale", "ok", "stale"]
    assert res["stale_reads"] == 2 and res["refused"] == 0 and res["availability"] == 1.0
    assert res["final"] == {"k": 80}
    assert res["lost_updates"] == 1, "55 was acknowledged after 80 and dropped"
    assert c.clock.now() == 30.0, "the runner lets the partition heal before reconciling"

    c2 = Cluster(3, clock=VirtualClock())
    c2.partition([[0], [1, 2]], start=0.0, end=5.0)
    res2 = run_schedule(c2, [[1.0, "read", 0, "k"], [2.0, "write", 1, "k", 1]], write=_lww_write,
                        read=_refusing_read)  # fmt: skip
    assert res2["refused"] == 1 and res2["availability"] == 0.5
    assert res2["events"][0] == {"t": 1.0, "op": "read", "via": 0, "key": "k", "value": None,
                                 "outcome": "refused"}  # fmt: skip
    with pytest.raises(ValueError, match="'read' or 'write'"):
        run_schedule(Cluster(1, clock=VirtualClock()), [[0.0, "delete", 0, "k"]],
                     write=_lww_write, read=_local_read)  # fmt: skip
    empty = run_schedule(Cluster(1, clock=VirtualClock()), [], write=_lww_write, read=_local_read)
    assert empty["availability"] == 1.0 and empty["operations"] == 0
