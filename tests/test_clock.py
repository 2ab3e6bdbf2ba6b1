"""Does the clock keep virtual time monotonic, deterministic and scoped?"""

import asyncio
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infralab.clock import (
    VIRTUAL_EPOCH_NS,
    Clock,
    RealClock,
    VirtualClock,
    current_clock,
    set_clock,
    use_clock,
)

durations = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(durations, max_size=50))
def test_virtual_clock_is_monotonic_and_sums_its_sleeps(steps):
    clock = VirtualClock()
    readings = [clock.now()]
    for s in steps:
        clock.sleep(s)
        readings.append(clock.now())
    assert readings == sorted(readings)
    assert clock.now() == pytest.approx(sum(steps), rel=1e-9, abs=1e-9)


@given(durations, durations)
def test_advance_to_never_moves_back(a, b):
    clock = VirtualClock(start=a)
    if b < a:
        with pytest.raises(ValueError, match="cannot move a VirtualClock back"):
            clock.advance_to(b)
        assert clock.now() == a
    else:
        assert clock.advance_to(b) == b


@pytest.mark.parametrize("bad", [-1, float("nan"), -1e-9])
def test_negative_or_nan_durations_are_rejected(bad):
    with pytest.raises(ValueError, match="non-negative"):
        VirtualClock().sleep(bad)


def test_time_ns_maps_zero_to_the_fixed_epoch():
    clock = VirtualClock()
    assert clock.time_ns() == VIRTUAL_EPOCH_NS
    clock.advance(1.5)
    assert clock.time_ns() == VIRTUAL_EPOCH_NS + 1_500_000_000


def test_use_clock_scopes_and_restores():
    outer = current_clock()
    with use_clock() as inner:
        assert current_clock() is inner and inner is not outer
        current_clock().sleep(600)  # a ten-minute drill
        assert inner.now() == 600
    assert current_clock() is outer


def test_set_clock_replaces_the_default_and_checks_type():
    mine = VirtualClock(start=5)
    old = set_clock(mine)
    try:
        assert current_clock() is mine
        with pytest.raises(TypeError, match="needs a Clock"):
            set_clock("not a clock")  # type: ignore[arg-type]
    finally:
        set_clock(old)


def test_async_sleep_advances_virtual_time():
    async def main():
        with use_clock(VirtualClock()) as c:
            await current_clock().asleep(30)
            return c.now()

    assert asyncio.run(main()) == 30


def test_threads_share_one_virtual_clock_without_losing_updates():
    clock = VirtualClock()

    def work():
        for _ in range(1000):
            clock.advance(0.001)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.now() == pytest.approx(4.0)


def test_real_clock_is_monotonic():
    clock = RealClock()
    a = clock.now()
    clock.sleep(0)
    assert clock.now() >= a >= 0
    assert isinstance(clock, Clock)
