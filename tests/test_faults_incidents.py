"""Does every named incident load, document itself, and do what its name says?"""

import re

import pytest

from infralab.faults import FaultPlan, FaultPlanError, list_incidents, load_incident
from infralab.faults._loading import INCIDENTS_DIR

LARGE, SMALL, LONG = "sim-large@2026-11", "sim-small@2026-11", "sim-large-long@2026-11"
REQUIRED = ["outage-90s", "rate-limit-storm", "brownout", "overload-529", "key-rotation-401"]


def drill(plan: FaultPlan, step: float = 1.0, models=(LARGE, SMALL, LONG), tokens=800):
    """Call every model every ``step`` virtual seconds over the plan's duration."""
    n = int(plan.duration / step)
    for i in range(n):
        for m in models:
            plan.before_call(model=m, input_tokens=tokens, now=i * step)
    return plan.events


def errors(events, model=None):
    return [e for e in events if e.outcome == "error" and (model is None or e.model == model)]


def test_required_incidents_exist():
    assert set(REQUIRED) <= set(list_incidents())


@pytest.mark.parametrize("name", list_incidents())
def test_incident_is_documented_and_runs_at_least_ten_minutes(name):
    text = (INCIDENTS_DIR / f"{name}.yaml").read_text()
    header = text.split("\nname:")[0]
    assert header.startswith(f"# Incident: {name}\n")
    for part in ("# Imitates:", "# A client sees:", "# Used by:"):
        assert part in header, f"{name}.yaml header lacks {part!r}"
    plan = load_incident(name)
    assert plan.name == name and plan.description
    assert plan.duration >= 600
    events = drill(plan)
    assert errors(events), f"{name} produced no error in {plan.duration} s"
    assert name in (INCIDENTS_DIR / "DATASHEET.md").read_text()


def test_outage_90s():
    events = drill(load_incident("outage-90s"))
    failed = errors(events)
    assert {e.model for e in failed} == {LARGE}
    assert {e.status for e in failed} == {503}
    assert sorted({e.t for e in failed}) == [float(t) for t in range(60, 150)]


def test_rate_limit_storm():
    plan = load_incident("rate-limit-storm")
    events = drill(plan, step=0.5)
    limited = errors(events)
    assert limited and {e.model for e in limited} == {LARGE}
    assert {e.code for e in limited} == {"rate_limit_exceeded"}
    assert max(e.t for e in limited) < 600
    admitted = [e.t for e in events if e.model == LARGE and e.outcome == "ok" and e.t < 600]
    assert all(sum(a <= t < a + 60 for t in admitted) <= 10 for a in admitted)
    assert all(e.outcome == "ok" for e in events if e.t >= 600)


def test_brownout_latency_climbs_before_errors_then_30_to_50_percent_529():
    events = [e for e in drill(load_incident("brownout"), step=0.25) if e.model == LARGE]
    first_slow = min(e.t for e in events if e.extra_latency > 0)
    first_error = min(e.t for e in errors(events))
    assert first_slow < first_error
    assert {e.status for e in errors(events)} == {529}

    def share(lo, hi):
        window = [e for e in events if lo <= e.t < hi]
        return len(errors(window)) / len(window)

    assert 0.2 <= share(180, 240) <= 0.4
    assert 0.4 <= share(240, 360) <= 0.6
    assert share(0, 180) == 0 and share(420, 600) == 0


def test_overload_529():
    events = [e for e in drill(load_incident("overload-529"), step=0.5) if e.model == LARGE]
    assert {e.status for e in errors(events)} == {529}
    assert all(e.outcome == "error" for e in events if 300 <= e.t < 345)
    rest = [e for e in events if not 300 <= e.t < 345]
    assert 0.1 <= len(errors(rest)) / len(rest) <= 0.2


def test_key_rotation_401():
    events = drill(load_incident("key-rotation-401"))
    failed = errors(events)
    assert {e.status for e in failed} == {401}
    assert {e.model for e in failed} == {LARGE, SMALL, LONG}
    assert [e.t for e in failed] == [e.t for e in events if 120 <= e.t < 300]


def test_quota_exhausted_never_recovers():
    events = drill(load_incident("quota-exhausted"))
    first = next(i for i, e in enumerate(events) if e.code == "insufficient_quota")
    assert all(e.code == "insufficient_quota" for e in events[first:])
    assert any(e.code == "rate_limit_exceeded" for e in events[:first])
    assert sum(e.outcome == "ok" for e in events) == 40


def test_network_timeouts():
    events = drill(load_incident("network-timeouts"))
    timeouts = [e for e in events if e.code == "timeout"]
    assert timeouts and all(e.extra_latency >= 30 and e.status is None for e in timeouts)


def test_unknown_incident_lists_the_available_ones():
    with pytest.raises(FaultPlanError, match=r"unknown incident 'outage'; available: .*outage-90s"):
        load_incident("outage")
    with pytest.raises(FaultPlanError, match="unknown incident"):
        load_incident("../incidents/outage-90s")


def test_incident_errors_name_the_repo_relative_file(tmp_path, monkeypatch):
    from infralab.faults import _loading

    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\nrules:\n  - kind: flaky\n    error_rate: 1.5\n")
    monkeypatch.setattr(_loading, "INCIDENTS_DIR", tmp_path)
    with pytest.raises(FaultPlanError) as info:
        load_incident("broken")
    assert re.fullmatch(
        r".*broken\.yaml:4: rules\[0\]\.error_rate: must be between 0 and 1, "
        r"got 1\.5",
        str(info.value),
    )


def test_outage_drill_through_the_simulated_provider_on_virtual_time():
    """The contract with SimChatModel: it asks the plan at clock time, sleeps, then raises."""
    from infralab.clock import VirtualClock, use_clock
    from infralab.llm import SimChatModel
    from infralab.llm.errors import ServiceUnavailableError

    plan = load_incident("outage-90s")
    model = SimChatModel(profile="sim-large@2026-11", fault_plan=plan)
    failed_at, ok = [], 0
    with use_clock(VirtualClock()) as clock:
        while clock.now() < plan.duration:
            started = clock.now()
            try:
                model.invoke("What are your opening hours?")
                ok += 1
            except ServiceUnavailableError:
                failed_at.append(started)
                clock.sleep(5)
    assert failed_at and all(60 <= t < 150 for t in failed_at)
    assert ok > 0 and plan.summary()["errors_by_code"] == {"service_unavailable": len(failed_at)}
    assert [e.t for e in plan.events if e.outcome == "error"] == failed_at
