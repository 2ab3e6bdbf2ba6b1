"""infralab.events: the embedded Redis on the current clock, and the same code on a real server.

Does ``connect()`` give a fresh in-process Redis by default and a real server with a URL (or
``$REDIS_URL``), refusing loudly when none answers? Do Streams, consumer groups, ``XAUTOCLAIM``,
``XPENDING``, ``XINFO GROUPS`` and ``WATCH``/``MULTI`` behave the same on both, as lab
a4-state-and-events relies on? Does the embedded server keep time on the virtual clock (ids and
idle thresholds to the millisecond)? And do the lab's own reference solutions (tasks 3 and 4)
pass against a real ``redis-server``?

The real server is started here, on 127.0.0.1 and a free port, and stopped afterwards; without
the ``redis-server`` binary these tests fail (CI installs it: .ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import redis
from servers import free_port

from infralab.clock import VirtualClock, use_clock
from infralab.events import RedisUnavailableError, connect, embedded_redis, redis_url

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "solutions" / "a4-state-and-events" / "a4-state-and-events.ipynb"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 and a free port, for this module; its URL."""
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if binary is None:
        pytest.fail(
            "redis-server is not installed: these tests run the lab's Redis code against a real "
            "server (apt-get install redis-server; .ci/run does it)"
        )
    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--protected-mode",
            "yes",
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):  # wait until it answers (bounded by attempts, not by wall time)
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"redis-server exited with {proc.returncode}: {out[-2000:]}")
            _pause()
    else:
        proc.kill()
        pytest.fail("redis-server did not answer PING")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _pause() -> None:
    # a short real pause while the server starts (the only use of real time in this module)
    import time

    time.sleep(0.05)


@pytest.fixture(params=["embedded", "real"])
def r(request, redis_server):
    """A client of an empty server: the embedded one, or the real one (flushed)."""
    if request.param == "embedded":
        return connect()
    client = connect(redis_server)
    client.flushdb()
    return client


# -- connecting ----------------------------------------------------------------------------------
def test_default_is_a_fresh_embedded_server(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    a, b = connect(), connect()
    assert type(a).__module__.startswith("fakeredis")
    a.set("k", "1")
    assert a.get("k") == "1"  # decode_responses: str back
    assert b.get("k") is None, "each connect() without a URL is a new, empty server"
    assert redis_url() is None


def test_redis_url_points_at_a_real_server(monkeypatch, redis_server):
    monkeypatch.setenv("REDIS_URL", redis_server)
    assert redis_url() == redis_server
    client = connect()
    assert not type(client).__module__.startswith("fakeredis")
    assert client.ping() is True


def test_a_url_without_a_server_fails_loudly(monkeypatch):
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailableError, match="127.0.0.1") as info:
        connect(url)
    assert "the url argument" in str(info.value)
    monkeypatch.setenv("REDIS_URL", url)
    with pytest.raises(RedisUnavailableError, match=r"\$REDIS_URL"):
        connect()


# -- the same semantics on both ------------------------------------------------------------------
def test_consumer_group_delivery_ack_and_claim(r):
    ids = [r.xadd("s", {"n": str(i)}) for i in range(3)]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
    r.xgroup_create("s", "g", id="0", mkstream=True)
    with pytest.raises(redis.ResponseError, match="BUSYGROUP"):
        r.xgroup_create("s", "g", id="0", mkstream=True)
    got = r.xreadgroup("g", "A", {"s": ">"}, count=2)
    assert [i for _, batch in got for i, _ in batch] == ids[:2]
    (p,) = r.xpending_range("s", "g", min=ids[0], max=ids[0], count=1)
    assert p["consumer"] == "A" and p["times_delivered"] == 1
    info = {g["name"]: g for g in r.xinfo_groups("s")}["g"]
    assert (info["lag"], info["pending"]) == (1, 2)
    # nothing has been idle for ten minutes; everything has been idle for 0 ms
    assert r.xautoclaim("s", "g", "B", min_idle_time=600_000, start_id="0-0")[1] == []
    claimed = r.xautoclaim("s", "g", "B", min_idle_time=0, start_id="0-0", count=10)[1]
    assert [i for i, _ in claimed] == ids[:2]
    (p,) = r.xpending_range("s", "g", min=ids[0], max=ids[0], count=1)
    assert p["consumer"] == "B" and p["times_delivered"] == 2
    assert r.xack("s", "g", *ids[:2]) == 2
    assert r.xreadgroup("g", "B", {"s": ">"}, count=5)[0][1][0][0] == ids[2]
    assert r.xreadgroup("g", "B", {"s": ">"}, count=5) == []


def test_watch_multi_detects_a_concurrent_write(r):
    other = redis.Redis(connection_pool=r.connection_pool)
    r.set("credit", 10)
    with r.pipeline() as pipe:
        pipe.watch("credit")
        value = int(pipe.get("credit"))
        other.incrby("credit", 5)
        pipe.multi()
        pipe.set("credit", value + 3)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("credit") == "15"


# -- virtual time (embedded only) ----------------------------------------------------------------
def test_embedded_ids_and_idle_times_follow_the_virtual_clock():
    runs = []
    for _ in range(2):
        clock = VirtualClock(3.0)
        with use_clock(clock):
            e = embedded_redis()
            first = e.xadd("s", {"a": "1"})
            second = e.xadd("s", {"a": "2"})
            e.xgroup_create("s", "g", id="0")
            e.xreadgroup("g", "A", {"s": ">"}, count=1)
            clock.advance(59.999)
            early = e.xautoclaim("s", "g", "B", min_idle_time=60_000)[1]
            clock.advance(0.001)
            on_time = e.xautoclaim("s", "g", "B", min_idle_time=60_000)[1]
            (p,) = e.xpending_range("s", "g", min="-", max="+", count=5)
            clock.advance(1.5)
            third = e.xadd("s", {"a": "3"})
        runs.append([first, second, early, on_time, p, third])
    epoch_ms = clock.time_ns() // 1_000_000 - 64_500  # the clock now reads 64.5 s
    first, second, early, on_time, p, third = runs[0]
    assert first == f"{epoch_ms + 3000}-0" and second == f"{epoch_ms + 3000}-1"
    assert early == [], "59 999 ms idle is below a 60 000 ms threshold"
    assert [i for i, _ in on_time] == [first], "exactly 60 000 ms idle is claimable"
    assert p["times_delivered"] == 2 and p["time_since_delivered"] == 0
    assert third == f"{epoch_ms + 64_500}-0"
    assert runs[0] == runs[1], "the same program gives the same ids and times in every run"


# -- the lab's reference solutions against both servers -------------------------------------------
def _solutions(*grade_ids: str) -> dict:
    """The reference code of the named solution cells, executed (markers dropped)."""
    import hashlib

    nb = nbformat.read(LAB, as_version=4)
    ns: dict = {"json": json, "redis": redis, "zlib": zlib, "hashlib": hashlib}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in grade_ids:
            source = "\n".join(line for line in cell.source.splitlines() if "### " not in line)
            exec(compile(source, str(LAB), "exec"), ns)
    return ns


def test_lab_workers_reclaim_and_dead_letter(r):
    lab = _solutions("task3-solution")
    lab["ensure_group"](r, "tickets", "agents")
    lab["ensure_group"](r, "tickets", "agents")
    ids = [lab["produce"](r, "tickets", {"n": n, "poison": n == 1}) for n in range(3)]
    seen = []

    def handle(ticket):
        seen.append(ticket["n"])
        if ticket["poison"]:
            raise ValueError("poison")

    first = lab["work_once"](r, "tickets", "agents", "A", handle, min_idle_ms=0)
    assert first == {"handled": [ids[0], ids[2]], "failed": [ids[1]], "dead": []}
    rounds = [
        lab["work_once"](r, "tickets", "agents", "B", handle, min_idle_ms=0) for _ in range(3)
    ]
    assert [x["failed"] for x in rounds] == [[ids[1]], [ids[1]], []]
    assert rounds[2]["dead"] == [ids[1]]
    assert seen == [0, 1, 2, 1, 1]
    dead = [f for _, f in r.xrange("tickets:dead")]
    assert dead == [{"ticket": '{"n": 1, "poison": true}', "id": ids[1], "deliveries": "4"}]
    assert lab["backlog"](r, "tickets", "agents") == {"lag": 0, "pending": 0}
    # a long idle threshold: a crashed consumer's entries stay where they are
    lab["produce"](r, "tickets", {"n": 9, "poison": False})
    r.xreadgroup("agents", "crashed", {"tickets": ">"}, count=1)
    idle = lab["work_once"](r, "tickets", "agents", "B", handle, min_idle_ms=600_000)
    assert idle == {"handled": [], "failed": [], "dead": []}
    assert lab["backlog"](r, "tickets", "agents") == {"lag": 0, "pending": 1}


def test_lab_partitions_and_optimistic_concurrency(r):
    lab = _solutions("task4-solution")
    streams = [lab["route_ticket"](r, {"customer_id": "C0040", "n": n}, 4) for n in range(3)]
    assert streams == [f"tickets:{zlib.crc32(b'C0040') % 4}"] * 3
    assert [json.loads(f["ticket"])["n"] for _, f in r.xrange(streams[0])] == [0, 1, 2]
    other = redis.Redis(connection_pool=r.connection_pool)
    r.set("credit", 10)
    spoiled = []

    def other_agent():
        if len(spoiled) < 2:
            spoiled.append(other.incrby("credit", 5))

    assert lab["add_credit"](r, "credit", 3, before_write=other_agent) == 23
    assert r.get("credit") == "23" and spoiled == [15, 20]
    with pytest.raises(RuntimeError):
        lab["add_credit"](r, "credit", 1, before_write=lambda: other.incr("credit"), max_attempts=2)
    assert r.get("credit") == "25", "two failed attempts wrote nothing; the other agent's two did"


def test_lab_effect_ledger_survives_a_restart(r):
    from infralab.tools import SupportDesk

    lab = _solutions("task1-solution")
    desk = SupportDesk()
    args = {"order_id": "O10007", "amount": 5.0}
    first = lab["EffectLedger"](r).call(desk, "t-1", "resolve", "refund_order", args)
    again = lab["EffectLedger"](r).call(
        desk, "t-1", "resolve", "refund_order", dict(reversed(args.items()))
    )
    other = lab["EffectLedger"](r, prefix="other:").call(
        desk, "t-1", "resolve", "refund_order", args
    )
    assert first == again and first.startswith("{")
    assert other.startswith("{") and other != first
    assert [e.kind for e in desk.side_effects] == ["refund", "refund"]
    too_much = {"order_id": "O10007", "amount": 10_000.0}
    led = lab["EffectLedger"](r)
    assert led.run_once(desk, "fix", "refund_order", too_much).startswith("Error:")
    assert led.run_once(desk, "fix", "refund_order", args).startswith("{"), (
        "a rejected call is not recorded"
    )
    assert len(desk.side_effects) == 3
