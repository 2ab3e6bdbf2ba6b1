"""infralab.observability.Telemetry: private spans on the current clock, metrics in memory."""

from __future__ import annotations

from opentelemetry.trace import SpanKind, Status, StatusCode

from infralab.clock import VirtualClock, use_clock
from infralab.observability import Telemetry, metric_points, span_dicts


def test_spans_are_plain_dicts_on_the_virtual_clock_with_parents():
    tel = Telemetry("unit")
    with use_clock(VirtualClock(100.0)) as clock:
        with tel.tracer.start_as_current_span("invoke_agent triage", attributes={"a": (1, 2)}):
            clock.advance(1.5)
            with tel.tracer.start_as_current_span("chat m", kind=SpanKind.CLIENT) as span:
                clock.advance(2.0)
                span.set_status(Status(StatusCode.ERROR, "down"))
    child, parent = tel.spans()  # the order they ended
    assert parent["name"] == "invoke_agent triage" and parent["parent_id"] is None
    assert child["parent_id"] == parent["span_id"] and child["trace_id"] == parent["trace_id"]
    assert (parent["start_s"], parent["end_s"]) == (100.0, 103.5)
    assert (child["start_s"], child["end_s"], child["kind"]) == (101.5, 103.5, "CLIENT")
    assert child["status"] == "ERROR" and parent["status"] == "UNSET"
    assert parent["attributes"]["a"] == [1, 2]  # tuples become lists: JSON data


def test_ids_are_deterministic_and_telemetries_are_independent():
    def run():
        tel = Telemetry("same-name")
        with tel.tracer.start_as_current_span("a"):
            with tel.tracer.start_as_current_span("b"):
                pass
        return tel

    first, second = run(), run()
    assert [s["span_id"] for s in first.spans()] == [s["span_id"] for s in second.spans()]
    assert len(first.spans()) == 2  # second's spans never reach first's exporter
    first.clear_spans()
    assert first.spans() == [] and len(second.spans()) == 2


def test_nothing_is_added_to_llm_spans():
    """The process tracer adds GenAI attributes to LLM spans; Telemetry must not (it grades
    what the code under test wrote)."""
    tel = Telemetry("bare")
    attrs = {"openinference.span.kind": "LLM", "llm.model_name": "sim-small@2026-11"}
    with tel.tracer.start_as_current_span("llm", attributes=attrs):
        pass
    (span,) = tel.spans()
    assert not any(key.startswith("gen_ai.") for key in span["attributes"])
    assert "llm.cost.total" not in span["attributes"]


def test_the_processor_enriches_unless_told_not_to():
    """ClockSpanProcessor(enrich=False) is what Telemetry uses; the default (the process's
    tracing) still adds the GenAI and cost attributes."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from infralab._tracing_processor import ClockSpanProcessor

    attrs = {
        "openinference.span.kind": "LLM",
        "llm.model_name": "sim-small@2026-11",
        "llm.token_count.prompt": 10,
        "llm.token_count.completion": 5,
    }
    seen = {}
    for enrich in (True, False):
        exporter = InMemorySpanExporter()
        processor = ClockSpanProcessor(Resource({}), enrich=enrich)
        processor.set_sinks([(SimpleSpanProcessor(exporter), None)])
        provider = TracerProvider()
        provider.add_span_processor(processor)
        with provider.get_tracer("t").start_as_current_span("llm", attributes=attrs):
            pass
        (span,) = exporter.get_finished_spans()
        seen[enrich] = dict(span.attributes)
    assert seen[True]["gen_ai.usage.input_tokens"] == 10 and "llm.cost.total" in seen[True]
    assert not any(k.startswith("gen_ai.") or k.startswith("llm.cost") for k in seen[False])


def test_metrics_are_read_from_the_in_memory_reader():
    tel = Telemetry("metrics")
    assert tel.metrics() == []
    tokens = tel.meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    calls = tel.meter.create_counter("calls")
    tokens.record(5, {"gen_ai.token.type": "output"})
    tokens.record(7, {"gen_ai.token.type": "input"})
    tokens.record(3, {"gen_ai.token.type": "input"})
    calls.add(2, {"model": "m"})
    points = tel.metrics()
    assert [(p["name"], p["attributes"]) for p in points] == [
        ("calls", {"model": "m"}),
        ("gen_ai.client.token.usage", {"gen_ai.token.type": "input"}),
        ("gen_ai.client.token.usage", {"gen_ai.token.type": "output"}),
    ]
    assert points[0]["value"] == 2
    assert {k: points[1][k] for k in ("unit", "count", "sum", "min", "max")} == {
        "unit": "{token}",
        "count": 2,
        "sum": 10,
        "min": 3,
        "max": 7,
    }
    assert tel.metrics() == points  # cumulative: reading twice gives the same series


def test_helpers_accept_empty_input():
    assert span_dicts([]) == []
    assert metric_points(None) == []


def test_bad_name_is_refused():
    import pytest

    with pytest.raises(ValueError, match="non-empty"):
        Telemetry("  ")


def test_genai_convention_spans_get_what_phoenix_reads():
    """A chat span written by hand to the GenAI conventions (gen_ai.* only) gets the
    OpenInference token counts and the simulator's price, so Phoenix shows its cost."""
    from infralab._tracing_processor import llm_attributes
    from infralab.llm import get_profile

    attrs = {
        "openinference.span.kind": "LLM",
        "gen_ai.request.model": "sim-large@2026-11",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 200,
    }
    extra = llm_attributes(attrs)
    assert extra["llm.model_name"] == "sim-large@2026-11"
    assert (extra["llm.token_count.prompt"], extra["llm.token_count.completion"]) == (1000, 200)
    assert extra["llm.token_count.total"] == 1200
    assert extra["llm.cost.total"] == float(get_profile("sim-large@2026-11").cost(1000, 200))
    assert "gen_ai.usage.input_tokens" not in extra  # the span's own values are kept
    no_usage = llm_attributes({k: v for k, v in attrs.items() if "usage" not in k})
    assert "llm.cost.total" not in no_usage and "llm.token_count.prompt" not in no_usage
