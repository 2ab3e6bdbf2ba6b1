"""Do fault plans keep their promises for any plan and any call sequence? (hypothesis)"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from infralab.faults import RULE_KINDS, FaultPlan, Flaky, Outage, RateLimit
from infralab.llm.errors import RateLimitError

LARGE = "sim-large@2026-11"
REPO = Path(__file__).resolve().parents[1]

gaps = st.floats(min_value=0, max_value=40, allow_nan=False, allow_infinity=False)


def times_from(gap_list, start=0.0):
    t, out = start, []
    for g in gap_list:
        t += g
        out.append(t)
    return out


# -- rate_limit -------------------------------------------------------------------------


@given(
    rpm=st.integers(1, 8),
    tpm=st.none() | st.integers(100, 3000),
    calls=st.lists(st.tuples(gaps, st.integers(0, 600)), min_size=1, max_size=120),
)
def test_rate_limiter_never_admits_more_than_its_limits_in_any_60s_window(rpm, tpm, calls):
    plan = FaultPlan([RateLimit(rpm=rpm, tpm=tpm)])
    admitted = []
    for t, (_, tokens) in zip(times_from(g for g, _ in calls), calls, strict=True):
        d = plan.before_call(model=LARGE, input_tokens=tokens, now=t)
        assert d.error is None or isinstance(d.error, RateLimitError)
        if d.ok:
            admitted.append((t, tokens))
    for a, _ in admitted:  # every window [a, a + 60) that starts at an admitted call
        inside = [n for t, n in admitted if a <= t < a + 60]
        assert len(inside) <= rpm
        if tpm is not None:
            assert sum(inside) <= tpm


@given(
    rpm=st.none() | st.integers(1, 6),
    tpm=st.integers(200, 2000),
    calls=st.lists(st.tuples(gaps, st.integers(0, 200)), min_size=1, max_size=80),
)
def test_retry_after_is_positive_whole_seconds_and_waiting_it_admits_a_lone_caller(rpm, tpm, calls):
    plan = FaultPlan([RateLimit(rpm=rpm, tpm=tpm)])
    now, retries = 0.0, 0
    for gap, tokens in calls:
        now += gap
        d = plan.before_call(model=LARGE, input_tokens=tokens, now=now)
        if d.ok:
            continue
        ra = d.error.retry_after
        assert ra is not None and ra > 0 and ra == int(ra)
        if ra > 1:  # rounded up, not padded: one second earlier is still too early
            assert not plan.before_call(model=LARGE, input_tokens=tokens, now=now + (ra - 1)).ok
        now += ra
        assert plan.before_call(model=LARGE, input_tokens=tokens, now=now).ok
        retries += 1
    assert plan.summary()["error"] >= retries


@given(calls=st.lists(gaps, min_size=2, max_size=60), rpm=st.integers(1, 5))
def test_rejected_calls_never_change_later_decisions(calls, rpm):
    """A caller that hammers while limited gets the same admissions as one that does not."""
    times = times_from(calls)
    quiet = FaultPlan([RateLimit(rpm=rpm)])
    noisy = FaultPlan([RateLimit(rpm=rpm)])
    for t in times:
        d = noisy.before_call(model=LARGE, input_tokens=1, now=t)
        if not d.ok:  # extra rejected attempts at the same instant
            for _ in range(3):
                assert not noisy.before_call(model=LARGE, input_tokens=1, now=t).ok
        assert quiet.before_call(model=LARGE, input_tokens=1, now=t).ok == d.ok


# -- outage -----------------------------------------------------------------------------


@given(
    start=st.floats(0, 500, allow_nan=False),
    length=st.floats(0.001, 500, allow_nan=False),
    times=st.lists(st.floats(0, 1200, allow_nan=False), max_size=60),
)
def test_outage_fails_exactly_inside_start_end(start, length, times):
    end = start + length
    assume(end > start)
    plan = FaultPlan([Outage(start=start, end=end, status=529)])
    for t in sorted(times) + [start, end]:
        d = plan.before_call(model=LARGE, input_tokens=1, now=t)
        assert (d.error is not None) == (start <= t < end)
        if d.error is not None:
            assert d.error.status_code == 529


# -- random draws -----------------------------------------------------------------------


def within_binomial_bounds(k, n, p, sigmas=5.0):
    return abs(k - n * p) <= sigmas * math.sqrt(n * p * (1 - p)) + 1


@settings(max_examples=40, deadline=None)
@given(p=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_flaky_error_rate_is_respected_within_statistical_bounds(p, seed):
    n = 2000
    plan = FaultPlan([Flaky(error_rate=p)], seed=seed)
    k = sum(not plan.before_call(model=LARGE, input_tokens=1, now=i).ok for i in range(n))
    assert within_binomial_bounds(k, n, p), (k, n * p)


@settings(max_examples=25, deadline=None)
@given(p=st.floats(0.05, 0.95), seed=st.integers(0, 2**32))
def test_draws_of_two_rules_are_independent(p, seed):
    """Two flaky rules fail a share 1 - (1 - p)^2, not p: rule index enters the hash."""
    n = 2000
    plan = FaultPlan([Flaky(error_rate=p), Flaky(error_rate=p)], seed=seed)
    k = sum(not plan.before_call(model=LARGE, input_tokens=1, now=i).ok for i in range(n))
    assert within_binomial_bounds(k, n, 1 - (1 - p) ** 2), (k, n * (1 - (1 - p) ** 2))


@given(seed=st.integers(0, 1000), interleave=st.lists(st.booleans(), max_size=80))
def test_a_models_draws_do_not_depend_on_calls_to_other_models(seed, interleave):
    rules = [Flaky(error_rate=0.3), {"kind": "slow", "rate": 0.4, "added_latency": 1.0}]
    alone, mixed = FaultPlan(rules, seed=seed), FaultPlan(rules, seed=seed)
    for i, other in enumerate(interleave):
        if other:
            mixed.before_call(model="sim-small@2026-11", input_tokens=5, now=i)
        a = alone.before_call(model=LARGE, input_tokens=5, now=i)
        b = mixed.before_call(model=LARGE, input_tokens=5, now=i)
        assert (repr(a.error), a.extra_latency) == (repr(b.error), b.extra_latency)


# -- data form --------------------------------------------------------------------------

seconds = st.floats(0, 10_000, allow_nan=False, allow_infinity=False)
rate = st.floats(0, 1)
model_lists = st.none() | st.lists(
    st.sampled_from(["sim-large", "sim-small", "sim-large@2026-06", "sim-*"]),
    min_size=1,
    max_size=3,
)


@st.composite
def rules(draw):
    kind = draw(st.sampled_from(sorted(RULE_KINDS)))
    d = {"kind": kind, "models": draw(model_lists), "start": draw(seconds)}
    if draw(st.booleans()):
        d["end"] = d["start"] + draw(st.floats(1, 10_000))
    if kind == "rate_limit":
        d["rpm"] = draw(st.integers(1, 10_000))
        d["tpm"] = draw(st.none() | st.integers(1, 10**7))
    elif kind in ("outage", "brownout", "flaky"):
        d["status"] = draw(st.sampled_from([500, 503, 529]))
    if kind in ("brownout", "flaky"):
        d["error_rate"] = draw(rate)
    if kind in ("brownout", "slow"):
        d["added_latency"] = draw(seconds)
    if kind == "brownout":
        d["latency_ramp"] = draw(st.floats(0, 0.99)) * (d.get("end", 1e4) - d["start"])
    if kind in ("slow", "timeout"):
        d["rate"] = draw(rate)
    if kind == "timeout":
        d["after"] = draw(st.floats(0.001, 600))
    if kind == "quota":
        d["max_calls"] = draw(st.integers(0, 10**6))
        d["max_tokens"] = draw(st.none() | st.integers(0, 10**9))
    return {k: v for k, v in d.items() if v is not None}


plans = st.builds(
    lambda rs, seed, name, duration: {
        "seed": seed,
        "rules": rs,
        **({"name": name} if name else {}),
        **({"duration": duration} if duration else {}),
    },
    st.lists(rules(), max_size=6),
    st.integers(0, 2**63),
    st.none() | st.text(max_size=10),
    st.none() | st.floats(1, 1e5),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(plans)
def test_to_dict_from_dict_round_trips_through_yaml_and_json(data):
    plan = FaultPlan.from_dict(data)
    d = plan.to_dict()
    assert FaultPlan.from_dict(d) == plan
    assert FaultPlan.from_dict(d).to_dict() == d
    assert FaultPlan.from_yaml(yaml.safe_dump(d, sort_keys=False)) == plan
    assert FaultPlan.from_json(json.dumps(d)) == plan
    assert json.loads(json.dumps(d)) == d  # plain JSON data


# -- determinism across processes -------------------------------------------------------

_SCRIPT = """
import json, sys
from infralab.faults import FaultPlan
plan = FaultPlan.from_json(sys.stdin.read())
models = ["sim-large@2026-11", "sim-small@2026-11", "sim-large@2026-06"]
out = []
for i in range(600):
    d = plan.before_call(model=models[i % 3 if i % 7 else 0], input_tokens=50 + 37 * i % 700,
                         now=i * 0.7)
    out.append([repr(d.error), getattr(d.error, "retry_after", None),
                getattr(d.error, "request_id", None), d.extra_latency])
print(json.dumps({"decisions": out, "summary": plan.summary()}))
"""

_PLAN = {
    "seed": 42,
    "rules": [
        {"kind": "rate_limit", "models": ["sim-large"], "rpm": 30, "tpm": 9000},
        {
            "kind": "brownout",
            "start": 60,
            "end": 300,
            "added_latency": 3.0,
            "latency_ramp": 20,
            "error_rate": 0.3,
        },
        {"kind": "flaky", "error_rate": 0.1, "status": 503},
        {"kind": "slow", "rate": 0.2, "added_latency": 1.5},
        {"kind": "timeout", "rate": 0.05, "after": 20},
        {"kind": "outage", "models": ["sim-small"], "start": 100, "end": 190},
        {"kind": "quota", "max_tokens": 80_000},
    ],
}


def _run(hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(_PLAN),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
    )
    return json.loads(proc.stdout)


def test_same_plan_and_calls_give_same_decisions_in_separate_processes():
    first, second = _run(1), _run(987654)
    assert first == second
    s = first["summary"]
    # the plan exercised every kind of outcome, so the comparison is not vacuous
    assert s["ok"] > 0 and s["delayed"] > 0 and s["error"] > 0
    assert set(s["errors_by_code"]) >= {
        "rate_limit_exceeded",
        "overloaded_error",
        "service_unavailable",
        "timeout",
        "insufficient_quota",
    }
