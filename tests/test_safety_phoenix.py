"""The permission policy's decisions reach a real Phoenix server as GUARDRAIL spans (127.0.0.1)."""

from __future__ import annotations

import secrets

import pytest
from servers import spans_in_phoenix

from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel
from infralab.safety import SENSITIVE_TOOLS, run_defended
from infralab.tracing import setup_tracing

pytestmark = [pytest.mark.slow, pytest.mark.phoenix]


def test_each_permission_decision_is_a_guardrail_span_in_phoenix(phoenix_url, monkeypatch):
    monkeypatch.delenv("PHOENIX_COLLECTOR_ENDPOINT", raising=False)
    project = f"test-safety-{secrets.token_hex(4)}"
    s = next(
        x
        for x in load_scenarios(split="train")
        if x.injection is not None and x.injection.channel == "tool_output"
    )

    def deny_sensitive(call, messages, customer_id):
        return {"allowed": call["name"] not in SENSITIVE_TOOLS, "untrusted": []}

    tracing = setup_tracing(project, endpoint=phoenix_url)
    try:
        tracing.clear()
        run = run_defended(
            s, SimChatModel(profile="sim-large@2026-11", seed=0), permit=deny_sensitive
        )
        local = tracing.span_rows()
        assert tracing.flush(timeout_s=30)
    finally:
        tracing.shutdown()

    stored = spans_in_phoenix(phoenix_url, project, want=len(local))
    guards = [x for x in stored if x["span_kind"] == "GUARDRAIL"]
    calls = [step for step in run["trajectory"] if step["name"] != "ask_user"]
    assert len(guards) == len(calls) > 0, (len(guards), calls)
    assert all(g["name"] == "tool_permission" for g in guards)
    names = sorted(g["attributes"]["tool.name"] for g in guards)
    assert names == sorted(c["name"] for c in calls)
    # A guard span sits in the run's trace, under the agent's tool step, not on its own.
    by_id = {x["context"]["span_id"]: x for x in stored}
    traces = {x["context"]["trace_id"] for x in stored if x["span_kind"] == "LLM"}
    for g in guards:
        assert g["context"]["trace_id"] in traces
        assert g["parent_id"] in by_id, g
