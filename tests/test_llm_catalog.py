"""Is the profile catalog complete, versioned, priced, and strict about names?"""

import dataclasses

import pytest

from infralab.llm import ModelProfile, UnknownProfileError, get_profile, list_profiles


def test_catalog_has_the_documented_profiles():
    """Are the two families in two versions each, plus the long-context profile, listed?"""
    ids = [p.id for p in list_profiles()]
    assert ids == sorted(ids)
    assert {
        "sim-small@2026-06",
        "sim-small@2026-11",
        "sim-large@2026-06",
        "sim-large@2026-11",
        "sim-large-long@2026-11",
    } <= set(ids)
    assert all(isinstance(p, ModelProfile) for p in list_profiles())


def test_bare_name_is_the_newest_version():
    """Does a bare family name resolve to its newest version, as a provider alias does?"""
    assert get_profile("sim-large").id == "sim-large@2026-11"
    assert get_profile("sim-small").id == "sim-small@2026-11"
    assert get_profile(" sim-large@2026-06 ").version == "2026-06"
    profile = get_profile("sim-small@2026-06")
    assert get_profile(profile) is profile


@pytest.mark.parametrize("bad", ["gpt-4o", "sim-large@2025-01", "", None, 3])
def test_unknown_profile_names_it_and_lists_known(bad):
    """Is an unknown profile an UnknownProfileError that names it and lists the known ones?"""
    with pytest.raises(UnknownProfileError) as info:
        get_profile(bad)
    message = str(info.value)
    assert repr(bad) in message
    assert "sim-large@2026-11" in message and "sim-small" in message


def test_cost_is_per_million_tokens():
    """Is cost input * input price + output * output price, per million tokens?"""
    p = get_profile("sim-large@2026-11")
    assert p.cost(1_000_000, 0) == pytest.approx(p.input_price_per_mtok)
    assert p.cost(0, 1_000_000) == pytest.approx(p.output_price_per_mtok)
    assert p.cost(1200, 300) == pytest.approx(
        (1200 * p.input_price_per_mtok + 300 * p.output_price_per_mtok) / 1e6
    )
    assert p.cost(0, 0) == 0


def test_small_is_cheaper_and_faster_large_is_more_accurate():
    """Do the families trade price and speed against accuracy?"""
    small, large = get_profile("sim-small"), get_profile("sim-large")
    assert small.input_price_per_mtok < large.input_price_per_mtok
    assert small.latency_base_s < large.latency_base_s
    assert small.routing_accuracy < large.routing_accuracy
    assert small.hallucinated_tool_rate > large.hallucinated_tool_rate


def test_the_2026_11_update_drifts():
    """Does the 2026-11 update follow injections more and ask less, for drift labs to find?"""
    for family in ("sim-small", "sim-large"):
        old, new = get_profile(f"{family}@2026-06"), get_profile(f"{family}@2026-11")
        assert new.follows_injection_rate > old.follows_injection_rate
        assert new.asks_when_ambiguous < old.asks_when_ambiguous


def test_long_context_profile():
    """Does the long-context profile have 4x sim-large's window, at a higher price?"""
    long, large = get_profile("sim-large-long"), get_profile("sim-large@2026-11")
    assert long.context_window == 4 * large.context_window
    assert long.input_price_per_mtok > large.input_price_per_mtok


def test_profiles_are_frozen_and_validated():
    """Is a profile immutable, and is a rate outside [0, 1] rejected with its field name?"""
    p = get_profile("sim-large")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.seed = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="routing_accuracy must be in"):
        dataclasses.replace(p, routing_accuracy=1.5)
    with pytest.raises(ValueError, match="context_window must be positive"):
        dataclasses.replace(p, context_window=0)
