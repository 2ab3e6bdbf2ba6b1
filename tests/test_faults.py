"""Does each fault rule do what its contract says, and are bad plans reported precisely?"""

import math
import pickle

import pytest

from infralab.faults import (
    RULE_KINDS,
    Auth,
    Brownout,
    FaultDecision,
    FaultPlan,
    FaultPlanError,
    Flaky,
    Outage,
    Quota,
    RateLimit,
    Slow,
    Timeout,
    load_fault_plan,
)
from infralab.llm.errors import (
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    OverloadedError,
    QuotaExceededError,
    RateLimitError,
    ServiceUnavailableError,
)

LARGE = "sim-large@2026-11"
SMALL = "sim-small@2026-11"


def call(plan, t, model=LARGE, tokens=100):
    return plan.before_call(model=model, input_tokens=tokens, now=t)


# -- rate_limit -------------------------------------------------------------------------


def test_rpm_admits_exactly_rpm_calls_then_429_with_retry_after():
    plan = FaultPlan([RateLimit(rpm=3)])
    assert [call(plan, t).ok for t in (0, 10, 20)] == [True, True, True]
    d = call(plan, 30.5)
    assert isinstance(d.error, RateLimitError)
    assert d.error.status_code == 429 and d.error.code == "rate_limit_exceeded"
    # the call at t=0 leaves the window at t=60: 29.5 s, rounded up to whole seconds
    assert d.error.retry_after == 30
    assert "requests per min (RPM): Limit 3, Used 3" in d.error.message
    assert call(plan, 30.5 + 30).ok


def test_rejected_calls_do_not_consume_quota():
    plan = FaultPlan([RateLimit(rpm=1)])
    assert call(plan, 0).ok
    for t in range(1, 60):  # 59 rejected calls
        assert not call(plan, t).ok
    assert call(plan, 60).ok  # only the t=0 call was counted


def test_tpm_counts_input_tokens_and_waits_for_enough_tokens_to_free():
    plan = FaultPlan([RateLimit(tpm=1000)])
    assert call(plan, 0, tokens=600).ok
    assert call(plan, 5, tokens=300).ok
    d = call(plan, 10, tokens=500)  # 900 + 500 > 1000: the t=0 call must expire (at t=60)
    assert isinstance(d.error, RateLimitError) and d.error.retry_after == 50
    assert "tokens per min (TPM): Limit 1000, Used 900, Requested 500" in d.error.message
    assert call(plan, 10, tokens=100).ok  # a smaller request still fits
    assert call(plan, 60, tokens=500).ok


def test_tpm_retry_after_covers_several_expiries():
    plan = FaultPlan([RateLimit(tpm=300)])
    for t in (0, 1, 2):
        assert call(plan, t, tokens=100).ok
    d = call(plan, 3, tokens=250)  # needs 3 x 100 freed: the t=2 call expires at 62
    assert d.error.retry_after == 59


def test_request_larger_than_tpm_is_429_without_retry_after():
    plan = FaultPlan([RateLimit(tpm=1000)])
    d = call(plan, 0, tokens=1001)
    assert isinstance(d.error, RateLimitError) and d.error.retry_after is None
    assert "Request too large" in d.error.message


def test_rate_limits_are_per_model_and_only_for_targeted_models():
    plan = FaultPlan([RateLimit(rpm=1, models=("sim-large",))])
    assert call(plan, 0, LARGE).ok
    assert call(plan, 0, "sim-large@2026-06").ok  # another model: its own window
    assert not call(plan, 1, LARGE).ok
    assert all(call(plan, 1, SMALL).ok for _ in range(5))  # not targeted


def test_retry_after_is_at_least_one_second():
    plan = FaultPlan([RateLimit(rpm=1)])
    call(plan, 0)
    d = call(plan, 59.9)
    assert d.error.retry_after == 1
    assert call(plan, 59.9 + 1).ok


def test_rate_limit_only_in_its_window():
    plan = FaultPlan([RateLimit(rpm=1, start=100, end=200)])
    assert all(call(plan, t).ok for t in (0, 1, 2))
    assert call(plan, 100).ok and not call(plan, 101).ok
    assert call(plan, 200).ok and call(plan, 200.5).ok


# -- outage / auth ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [(503, ServiceUnavailableError), (529, OverloadedError), (500, InternalServerError)],
)
def test_outage_fails_every_call_in_start_end(status, cls):
    plan = FaultPlan([Outage(start=60, end=150, status=status)])
    assert call(plan, 59.999).ok
    for t in (60, 100, 149.999):
        d = call(plan, t)
        assert type(d.error) is cls and d.error.status_code == status
    assert call(plan, 150).ok


def test_outage_targets_families_not_raw_prefixes():
    plan = FaultPlan([Outage(models=("sim-large",))])
    assert not call(plan, 0, "sim-large@2026-06").ok
    assert not call(plan, 0, "sim-large").ok
    assert call(plan, 0, "sim-large-long@2026-11").ok  # the fallback keeps working
    assert call(plan, 0, SMALL).ok
    star = FaultPlan([Outage(models=("sim-large*",))])
    assert not call(star, 0, "sim-large-long@2026-11").ok
    exact = FaultPlan([Outage(models=("sim-large@2026-06",))])
    assert call(exact, 0, LARGE).ok and not call(exact, 0, "sim-large@2026-06").ok


def test_auth_is_401_in_window():
    plan = FaultPlan([Auth(start=120, end=300)])
    assert call(plan, 119).ok
    d = call(plan, 120, SMALL)
    assert isinstance(d.error, AuthenticationError) and d.error.status_code == 401
    assert d.error.model == SMALL and d.error.request_id.startswith("req_sim_")
    assert call(plan, 300).ok


# -- random rules -----------------------------------------------------------------------


def share_failed(plan, n=4000, model=LARGE):
    return sum(not call(plan, float(i), model).ok for i in range(n)) / n


def test_flaky_fails_about_error_rate_with_its_status():
    plan = FaultPlan([Flaky(error_rate=0.2, status=503)], seed=11)
    assert share_failed(plan) == pytest.approx(0.2, abs=0.03)
    assert {e.status for e in plan.events if e.outcome == "error"} == {503}
    assert share_failed(FaultPlan([Flaky(error_rate=0.0)])) == 0
    assert share_failed(FaultPlan([Flaky(error_rate=1.0)])) == 1


def test_flaky_429_has_no_retry_after():
    d = call(FaultPlan([Flaky(error_rate=1.0, status=429)]), 0)
    assert isinstance(d.error, RateLimitError) and d.error.retry_after is None


def test_different_seeds_fail_different_calls():
    a = FaultPlan([Flaky(error_rate=0.5)], seed=1)
    b = FaultPlan([Flaky(error_rate=0.5)], seed=2)
    fa = [call(a, i).ok for i in range(200)]
    fb = [call(b, i).ok for i in range(200)]
    assert fa != fb


def test_slow_adds_latency_to_rate_of_calls():
    plan = FaultPlan([Slow(added_latency=2.5, rate=0.25)], seed=3)
    latencies = [call(plan, i).extra_latency for i in range(4000)]
    assert set(latencies) == {0.0, 2.5}
    assert latencies.count(2.5) / 4000 == pytest.approx(0.25, abs=0.03)
    assert all(call(plan, 0).ok for _ in range(10))


def test_timeout_takes_after_seconds_then_api_timeout_error():
    plan = FaultPlan([Timeout(after=30, rate=1.0)])
    d = call(plan, 0)
    assert isinstance(d.error, APITimeoutError) and d.error.status_code is None
    assert d.error.timeout == 30 and d.extra_latency == 30
    partial = FaultPlan([Timeout(after=10, rate=0.1)], seed=5)
    assert share_failed(partial) == pytest.approx(0.1, abs=0.02)


def test_brownout_ramps_latency_before_errors():
    rule = Brownout(start=100, end=400, added_latency=6.0, latency_ramp=60, error_rate=0.5)
    plan = FaultPlan([rule], seed=9)
    assert call(plan, 99).extra_latency == 0
    ramp = [call(plan, 100 + t) for t in range(60)]
    assert all(d.ok for d in ramp)  # no errors while latency climbs
    assert [d.extra_latency for d in ramp] == pytest.approx([6.0 * t / 60 for t in range(60)])
    after = [call(plan, 160 + t * 0.1) for t in range(2000)]
    assert all(d.extra_latency == 6.0 for d in after)
    errs = [d.error for d in after if d.error]
    assert len(errs) / 2000 == pytest.approx(0.5, abs=0.04)
    assert all(type(e) is OverloadedError for e in errs)
    assert call(plan, 400).extra_latency == 0


def test_brownout_without_ramp_has_errors_from_start():
    plan = FaultPlan([Brownout(start=0, end=100, error_rate=1.0, status=503)])
    assert isinstance(call(plan, 0).error, ServiceUnavailableError)


# -- quota ------------------------------------------------------------------------------


def test_quota_after_n_calls_is_insufficient_quota_for_every_model():
    plan = FaultPlan([Quota(max_calls=3)])
    assert [call(plan, t, m).ok for t, m in ((0, LARGE), (1, SMALL), (2, LARGE))] == [True] * 3
    for m in (LARGE, SMALL):
        d = call(plan, 1000, m)
        assert isinstance(d.error, QuotaExceededError)
        assert d.error.status_code == 429 and d.error.code == "insufficient_quota"


def test_quota_by_tokens():
    plan = FaultPlan([Quota(max_tokens=1000)])
    assert call(plan, 0, tokens=600).ok
    assert call(plan, 1, tokens=600).ok  # crosses the limit: billing lets it through
    assert isinstance(call(plan, 2, tokens=1).error, QuotaExceededError)


# -- combination, events, state ---------------------------------------------------------


def test_latencies_add_up_and_first_error_wins():
    plan = FaultPlan(
        [
            Slow(added_latency=1.0),
            Timeout(after=5.0),
            Outage(status=503),
        ]
    )
    d = call(plan, 0)
    assert isinstance(d.error, APITimeoutError) and d.extra_latency == 6.0
    assert plan.events[-1].rules == ("slow", "timeout")


def test_later_rules_are_not_consulted_after_an_error():
    plan = FaultPlan([Outage(start=0, end=10), RateLimit(rpm=1)])
    for t in range(10):
        assert isinstance(call(plan, t).error, ServiceUnavailableError)
    assert call(plan, 10).ok  # the outage's rejected calls used no rate-limit quota


def test_events_and_summary():
    plan = FaultPlan([RateLimit(rpm=1), Slow(added_latency=2.0, models=("sim-small",))])
    call(plan, 0)
    call(plan, 1)
    call(plan, 2, SMALL)
    call(plan, 3, SMALL)
    assert [(e.t, e.model, e.call_index, e.outcome, e.status, e.rule) for e in plan.events] == [
        (0.0, LARGE, 0, "ok", None, None),
        (1.0, LARGE, 1, "error", 429, "rate_limit"),
        (2.0, SMALL, 0, "delayed", None, "slow"),
        (3.0, SMALL, 1, "error", 429, "rate_limit"),
    ]
    assert plan.events[2].extra_latency == 2.0
    s = plan.summary()
    assert (s["calls"], s["ok"], s["delayed"], s["error"]) == (4, 1, 1, 2)
    assert s["errors_by_code"] == {"rate_limit_exceeded": 2}
    assert s["by_rule"] == {"rate_limit": 2, "slow": 1}
    assert s["extra_latency"] == 2.0
    assert plan.events[1].to_dict()["rules"] == ["rate_limit"]


def test_reset_clears_windows_counters_and_events():
    plan = FaultPlan([RateLimit(rpm=1), Quota(max_calls=1), Flaky(error_rate=0.5)], seed=4)
    first = [call(plan, t).error for t in range(5)]
    plan.reset()
    assert plan.events == []
    second = [call(plan, t).error for t in range(5)]
    assert [repr(e) for e in first] == [repr(e) for e in second]


def test_decision_shape_and_empty_summary():
    plan = FaultPlan([])
    d = call(plan, 0)
    assert d == FaultDecision(error=None, extra_latency=0.0) and d.ok
    s = plan.summary()
    assert s == {
        "calls": 1,
        "ok": 1,
        "delayed": 0,
        "error": 0,
        "errors_by_code": {},
        "by_rule": {},
        "extra_latency": 0.0,
    }
    assert type(s["extra_latency"]) is float


@pytest.mark.parametrize(
    ("kw", "exc"),
    [
        ({"model": "", "input_tokens": 1, "now": 0}, TypeError),
        ({"model": LARGE, "input_tokens": -1, "now": 0}, ValueError),
        ({"model": LARGE, "input_tokens": 1.5, "now": 0}, ValueError),
        ({"model": LARGE, "input_tokens": 1, "now": math.nan}, ValueError),
    ],
)
def test_before_call_rejects_bad_arguments(kw, exc):
    with pytest.raises(exc):
        FaultPlan([]).before_call(**kw)


# -- data form --------------------------------------------------------------------------


def test_to_dict_round_trip_and_defaults_left_out():
    plan = FaultPlan(
        [
            {"kind": "outage", "models": ["sim-large"], "start": 60, "end": 150},
            {"kind": "brownout", "error_rate": 0.3, "added_latency": 2, "latency_ramp": 10},
        ],
        seed=7,
        name="x",
        description="d",
        duration=600,
    )
    d = plan.to_dict()
    assert d["rules"][0] == {"kind": "outage", "models": ["sim-large"], "start": 60.0, "end": 150.0}
    assert FaultPlan.from_dict(d) == plan
    assert FaultPlan.from_dict(d) != FaultPlan.from_dict({**d, "seed": 8})


def test_yaml_and_json_give_the_same_plan(tmp_path):
    yaml_text = "seed: 3\nrules:\n  - kind: flaky\n    error_rate: 0.1\n"
    json_text = '{"seed": 3, "rules": [{"kind": "flaky", "error_rate": 0.1}]}'
    (tmp_path / "p.yml").write_text(yaml_text)
    (tmp_path / "p.json").write_text(json_text)
    plans = [
        FaultPlan.from_yaml(yaml_text),
        FaultPlan.from_json(json_text),
        load_fault_plan(tmp_path / "p.yml"),
        load_fault_plan(tmp_path / "p.json"),
    ]
    assert all(p == plans[0] for p in plans)
    assert plans[0].rules == (Flaky(error_rate=0.1),)


def test_registry_lists_every_rule_kind():
    assert set(RULE_KINDS) == {
        "rate_limit",
        "outage",
        "brownout",
        "flaky",
        "slow",
        "timeout",
        "quota",
        "auth",
    }
    assert all(cls.kind == kind for kind, cls in RULE_KINDS.items())


# -- validation -------------------------------------------------------------------------

BAD = [
    # (yaml, expected message after "<file>:<line>: ")
    (
        "rules:\n  - kind: outage\n    start: 5\n  - kind: flaky\n    error_rate: 1.5\n",
        5,
        "rules[1].error_rate: must be between 0 and 1, got 1.5",
    ),
    (
        "rules:\n  - kind: meltdown\n",
        2,
        "rules[0].kind: unknown rule kind 'meltdown'; allowed: rate_limit, outage, brownout, "
        "flaky, slow, timeout, quota, auth",
    ),
    ("rules:\n  - start: 3\n", 2, "rules[0].kind: is required; allowed: rate_limit"),
    (
        "rules:\n  - kind: flaky\n    error_rate: 0.1\n    eror_rate: 0.2\n",
        4,
        "rules[0].eror_rate: unknown key for a flaky rule; allowed: kind, models, start, end, "
        "error_rate, status",
    ),
    (
        "seed: 1\nrulez: []\n",
        2,
        "rulez: unknown key; allowed: name, description, seed, duration, rules",
    ),
    (
        "rules:\n  - kind: outage\n    start: 90\n    end: 60\n",
        4,
        "rules[0].end: must be after start (90), got 60",
    ),
    ("rules:\n  - kind: outage\n    start: 90\n    end: 90\n", 4, "rules[0].end: must be after"),
    (
        "rules:\n  - kind: slow\n    added_latency: -1\n",
        3,
        "rules[0].added_latency: must be >= 0, got -1",
    ),
    (
        "rules:\n  - kind: brownout\n    error_rate: 0.1\n    added_latency: -0.5\n",
        4,
        "rules[0].added_latency: must be >= 0",
    ),
    ("rules:\n  - kind: timeout\n    after: 0\n", 3, "rules[0].after: must be > 0, got 0"),
    (
        "rules:\n  - kind: outage\n    status: 404\n",
        3,
        "rules[0].status: must be one of 500, 503, 529, got 404",
    ),
    (
        "rules:\n  - kind: rate_limit\n    models: [sim-large]\n",
        2,
        "rules[0].rpm: a rate_limit rule needs rpm, tpm or both",
    ),
    ("rules:\n  - kind: rate_limit\n    rpm: 0\n", 3, "rules[0].rpm: must be an integer >= 1"),
    ("rules:\n  - kind: rate_limit\n    rpm: 2.5\n", 3, "rules[0].rpm: must be an integer >= 1"),
    ("rules:\n  - kind: flaky\n", 2, "rules[0].error_rate: is required for a flaky rule"),
    (
        "rules:\n  - kind: flaky\n    error_rate: true\n",
        3,
        "rules[0].error_rate: must be between 0 and 1, got True",
    ),
    (
        "rules:\n  - kind: outage\n    models: sim-large\n",
        3,
        "rules[0].models: must be a list of models",
    ),
    (
        "rules:\n  - kind: outage\n    models: [sim-large, 3]\n",
        3,
        "rules[0].models[1]: must be a non-empty string, got 3",
    ),
    (
        "rules:\n  - kind: brownout\n    start: 0\n    end: 60\n    error_rate: 0.5\n"
        "    latency_ramp: 60\n",
        6,
        "rules[0].latency_ramp: must be shorter than the window",
    ),
    ("rules:\n  - kind: quota\n", 2, "rules[0].max_calls: a quota rule needs"),
    ("seed: abc\n", 1, "seed: must be an integer, got 'abc'"),
    ("duration: -5\n", 1, "duration: must be a positive number of seconds"),
    ("rules: {kind: outage}\n", 1, "rules: must be a list of rules"),
    (
        "- kind: outage\n",
        1,
        "a fault plan must be a mapping with keys name, description, seed, "
        "duration, rules, got a list",
    ),
    ("# nothing yet\n", None, "the plan is empty"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_validation_errors_name_file_line_and_field(tmp_path, text, line, message):
    path = tmp_path / "brownout.yaml"
    path.write_text(text)
    with pytest.raises(FaultPlanError) as info:
        load_fault_plan(path)
    where = f"{path}:{line}: " if line else f"{path}: "
    assert str(info.value).startswith(where + message), str(info.value)


def test_yaml_syntax_error_names_file_and_line():
    with pytest.raises(FaultPlanError, match=r"^plan\.yaml:3: invalid YAML"):
        FaultPlan.from_yaml("rules:\n  - kind: outage\n  start: [\n", source="plan.yaml")


def test_json_syntax_error_names_file_and_line():
    with pytest.raises(FaultPlanError, match=r"^plan\.json:2: invalid JSON"):
        FaultPlan.from_json('{"rules": [\n  {"kind": }]}', source="plan.json")


def test_repo_relative_source_for_files_in_the_repo():
    from infralab.faults._loading import INCIDENTS_DIR, display_path

    assert display_path(INCIDENTS_DIR / "brownout.yaml") == "datasets/incidents/brownout.yaml"


def test_from_dict_names_source_without_line():
    with pytest.raises(FaultPlanError) as info:
        FaultPlan.from_dict({"rules": [{"kind": "slow", "added_latency": -1}]}, source="cfg")
    assert str(info.value) == "cfg: rules[0].added_latency: must be >= 0, got -1"
    err = pickle.loads(pickle.dumps(info.value))
    assert str(err) == str(info.value) and err.path == "rules[0].added_latency"


def test_rules_built_in_python_are_validated_too():
    with pytest.raises(FaultPlanError, match="^error_rate: must be between 0 and 1"):
        Flaky(error_rate=2)
    with pytest.raises(FaultPlanError, match=r"^rules\[1\]\.end: must be after start"):
        FaultPlan([Slow(added_latency=1), {"kind": "auth", "start": 5, "end": 1}])


def test_a_call_failed_by_a_later_rule_uses_no_rate_limit_or_quota_budget():
    plan = FaultPlan([RateLimit(rpm=1), Quota(max_calls=1), Flaky(error_rate=1.0, end=10)])
    for t in range(10):  # all fail at the flaky rule, after rate_limit and quota let them by
        assert isinstance(call(plan, t).error, InternalServerError)
    assert call(plan, 10).ok  # neither the rpm window nor the quota counted them
    assert isinstance(call(plan, 100).error, QuotaExceededError)


def test_threads_sharing_a_plan_never_exceed_the_limit():
    import threading

    plan = FaultPlan([RateLimit(rpm=10)])
    admitted = []

    def worker():
        for _ in range(50):
            if call(plan, 0).ok:
                admitted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(admitted) == 10 and len(plan.events) == 400
    assert sorted(e.call_index for e in plan.events) == list(range(400))
