"""Fixtures for the certification tests: a throwaway issuer, fixture results, an issued badge."""

from __future__ import annotations

from pathlib import Path

import pytest
from certify_results import NOW, POLICY, passing_track_a

from infralab.grading.certify import certify, init_keys


@pytest.fixture
def keys(tmp_path) -> Path:
    d = tmp_path / "keys"
    init_keys(d, "Test certification body", "2026-01-01T00:00:00Z")
    return d


@pytest.fixture
def results(tmp_path) -> Path:
    r = tmp_path / "results"
    passing_track_a(r, "cand-1")
    return r


@pytest.fixture
def issued(tmp_path, keys, results):
    """A track A credential for cand-1, issued at NOW into tmp_path/out."""
    return certify(
        candidate="cand-1",
        track="A",
        name="Ada Example",
        results=results,
        policy=POLICY,
        keys_dir=keys,
        out=tmp_path / "out",
        status_dir=tmp_path / "out",
        now=NOW,
    )
