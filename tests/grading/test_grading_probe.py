"""probe(): in-kernel evaluation, the JSON round trip, and per-thread transports."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from infralab.grading import ProbeError, probe
from infralab.grading.grade._probe import evaluate_snippet, set_transport


def test_probe_returns_plain_data_from_main_namespace():
    main = sys.modules["__main__"].__dict__
    main["_probe_test_value"] = (1, 2.5, "x")
    try:
        assert probe("_probe_test_value") == [1, 2.5, "x"]
        assert probe("y = 20\ny + 1") == 21
        assert "y" not in main  # snippet names never leak into the learner's namespace
    finally:
        del main["_probe_test_value"]


def test_probe_rejects_objects_that_are_not_plain_data():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    sys.modules["__main__"].__dict__["_always"] = AlwaysEqual()
    try:
        with pytest.raises(ProbeError, match="AlwaysEqual"):
            probe("_always")
    finally:
        del sys.modules["__main__"].__dict__["_always"]


def test_probe_failures_are_assertion_errors():
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        probe("1 / 0")
    with pytest.raises(TypeError):
        probe(42)  # type: ignore[arg-type]


def test_evaluate_snippet_without_final_expression_is_none():
    assert evaluate_snippet("x = 1", {}) is None


def test_transport_answer_is_parsed_strictly():
    set_transport(lambda code: '{"a": [1, 2]}')
    try:
        assert probe("anything") == {"a": [1, 2]}
    finally:
        set_transport(None)
    for bad in ("not json", "[" * 100_000, "1" * 5000):
        set_transport(lambda code, bad=bad: bad)
        try:
            with pytest.raises(ProbeError):
                probe("x")
        finally:
            set_transport(None)
    set_transport(lambda code: 42)  # type: ignore[arg-type,return-value]
    try:
        with pytest.raises(ProbeError, match="not JSON text"):
            probe("x")
    finally:
        set_transport(None)


def test_transports_are_per_thread():
    seen = {}
    barrier = threading.Barrier(2)

    def judge(name):
        set_transport(lambda code: f'"{name}:{code}"')
        barrier.wait()
        seen[name] = probe("q")

    threads = [threading.Thread(target=judge, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": "a:q", "b": "b:q"}
    assert probe("1 + 1") == 2  # this thread never set one


def test_importing_infralab_grading_is_light():
    code = "import sys, infralab.grading; assert 'nbgrader' not in sys.modules, 'nbgrader'"
    subprocess.run([sys.executable, "-c", code], check=True)
