"""Does SimChatModel's client-side timeout cut slow calls short on the virtual clock?"""

import asyncio

import pytest

from infralab.clock import use_clock
from infralab.faults import FaultPlan
from infralab.llm import SimChatModel
from infralab.llm.errors import APITimeoutError, ServiceUnavailableError


def _hang(after: float, kind: str = "timeout") -> FaultPlan:
    if kind == "timeout":
        return FaultPlan.from_dict({"rules": [{"kind": "timeout", "rate": 1.0, "after": after}]})
    return FaultPlan.from_dict({"rules": [{"kind": "slow", "rate": 1.0, "added_latency": after}]})


def test_a_hang_longer_than_the_timeout_fails_at_the_timeout():
    with use_clock() as clock:
        model = SimChatModel(script=["hi"], fault_plan=_hang(30), timeout=5)
        with pytest.raises(APITimeoutError) as err:
            model.invoke("x")
        assert clock.now() == 5.0
        assert err.value.timeout == 5 and err.value.model == "sim-large@2026-11"


def test_a_slow_call_within_the_timeout_succeeds_and_takes_its_time():
    with use_clock() as clock:
        model = SimChatModel(script=["hi"], fault_plan=_hang(3, kind="slow"), timeout=10)
        assert model.invoke("x").content == "hi"
        assert 3.0 < clock.now() < 10.0


def test_a_slow_error_still_hits_the_client_timeout_first():
    plan = FaultPlan.from_dict(
        {
            "rules": [
                {"kind": "slow", "rate": 1.0, "added_latency": 20},
                {"kind": "outage", "start": 0, "end": 100, "status": 503},
            ]
        }
    )
    with use_clock() as clock:
        with pytest.raises(APITimeoutError):
            SimChatModel(script=["hi"], fault_plan=plan, timeout=2).invoke("x")
        assert clock.now() == 2.0
    with use_clock():
        with pytest.raises(ServiceUnavailableError):  # no timeout: the 503 arrives
            SimChatModel(script=["hi"], fault_plan=plan).invoke("x")


def test_without_timeout_the_hang_ends_in_the_providers_timeout_error():
    with use_clock() as clock:
        with pytest.raises(APITimeoutError) as err:
            SimChatModel(script=["hi"], fault_plan=_hang(30)).invoke("x")
        assert clock.now() == 30.0 and err.value.timeout == 30


def test_async_and_stream_honour_the_timeout():
    async def main():
        with use_clock() as clock:
            model = SimChatModel(script=["hi"], fault_plan=_hang(30), timeout=4)
            with pytest.raises(APITimeoutError):
                await model.ainvoke("x")
            return clock.now()

    assert asyncio.run(main()) == 4.0
    with use_clock() as clock:
        model = SimChatModel(script=["hi"], fault_plan=_hang(30), timeout=4)
        with pytest.raises(APITimeoutError):
            list(model.stream("x"))
        assert clock.now() == 4.0


@pytest.mark.parametrize("bad", [0, -1])
def test_timeout_must_be_positive(bad):
    with pytest.raises(ValueError, match="timeout"):
        SimChatModel(timeout=bad)
