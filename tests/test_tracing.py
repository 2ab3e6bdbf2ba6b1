"""setup_tracing: clock-stamped, deterministic, idempotent spans with GenAI and cost attributes.

These tests use a scripted LangChain chat model (langchain_core's GenericFakeChatModel that
"sleeps" on the current clock), so they do not depend on the simulator. The Phoenix end-to-end
test lives in tests/test_tracing_phoenix.py.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from infralab._tracing_processor import (
    ClockSpanProcessor,
    DeterministicIdGenerator,
    PhoenixView,
    llm_attributes,
)
from infralab.clock import VIRTUAL_EPOCH_NS, RealClock, VirtualClock, current_clock, use_clock
from infralab.tracing import ENDPOINT_ENV, Tracing, setup_tracing

REPO = Path(__file__).resolve().parents[1]


class SleepyModel(GenericFakeChatModel):
    """A scripted chat model whose calls take ``latency`` seconds on the current clock."""

    latency: float = 2.0
    fail: bool = False

    def _generate(self, *args, **kwargs):
        current_clock().sleep(self.latency)
        if self.fail:
            raise RuntimeError("provider exploded")
        return super()._generate(*args, **kwargs)


def _reply(text: str = "hi", inp: int = 100, out: int = 20, model: str = "sim-large@2026-11"):
    return AIMessage(
        text,
        usage_metadata={"input_tokens": inp, "output_tokens": out, "total_tokens": inp + out},
        response_metadata={"model_name": model},
    )


def _graph(model):
    def agent(state):
        current_clock().sleep(0.5)  # work in the node before the model call
        return {"messages": [model.invoke(state["messages"])]}

    g = StateGraph(MessagesState)
    g.add_node("agent", agent)
    g.add_edge(START, "agent")
    g.add_edge("agent", END)
    return g.compile()


@pytest.fixture
def tracing(monkeypatch) -> Tracing:
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    t = setup_tracing("test-tracing")
    t.clear()
    yield t
    t.clear()


def test_spans_are_stamped_from_the_virtual_clock(tracing):
    model = SleepyModel(messages=itertools.cycle([_reply()]), latency=2.0)
    with use_clock(VirtualClock(start=10.0)):
        _graph(model).invoke({"messages": [HumanMessage("hello")]})
    rows = tracing.span_rows()
    assert [(r["name"], r["kind"], r["depth"]) for r in rows] == [
        ("LangGraph", "CHAIN", 0),
        ("agent", "AGENT", 1),
        ("SleepyModel", "LLM", 2),
    ]
    graph_row, node_row, llm_row = rows
    assert (graph_row["start_s"], graph_row["end_s"]) == (10.0, 12.5)
    assert (node_row["start_s"], node_row["end_s"]) == (10.0, 12.5)
    assert (llm_row["start_s"], llm_row["end_s"], llm_row["duration_s"]) == (10.5, 12.5, 2.0)
    assert llm_row["parent"] == "agent" and node_row["parent"] == "LangGraph"
    assert llm_row["parent_id"] == node_row["span_id"]
    assert {r["trace_id"] for r in rows} == {graph_row["trace_id"]}
    assert all(r["status"] == "OK" for r in rows)
    # The exported span itself carries the clock's nanoseconds.
    llm_span = next(s for s in tracing.spans() if s.name == "SleepyModel")
    assert llm_span.start_time == VIRTUAL_EPOCH_NS + 10_500_000_000
    assert llm_span.attributes["infralab.clock"] == "virtual"


def test_llm_span_carries_genai_and_token_attributes(tracing):
    model = SleepyModel(messages=itertools.cycle([_reply(inp=1234, out=56)]), latency=0.1)
    with use_clock(VirtualClock()):
        _graph(model).invoke({"messages": [HumanMessage("hello")]})
    span = next(s for s in tracing.spans() if s.name == "SleepyModel")
    attrs = span.attributes
    assert attrs["gen_ai.request.model"] == "sim-large@2026-11"
    assert attrs["gen_ai.usage.input_tokens"] == 1234
    assert attrs["gen_ai.usage.output_tokens"] == 56
    assert attrs["gen_ai.operation.name"] == "chat"
    row = next(r for r in tracing.span_rows() if r["kind"] == "LLM")
    assert (row["model"], row["input_tokens"], row["output_tokens"]) == (
        "sim-large@2026-11",
        1234,
        56,
    )
    # Only the LLM span is priced.
    assert all(r["cost_usd"] is None for r in tracing.span_rows() if r["kind"] != "LLM")


def test_cost_comes_from_the_catalog():
    from infralab.llm import get_profile

    profile = get_profile("sim-large@2026-11")
    attrs = {
        "openinference.span.kind": "LLM",
        "llm.model_name": "sim-large@2026-11",
        "llm.token_count.prompt": 2000,
        "llm.token_count.completion": 300,
    }
    extra = llm_attributes(attrs)
    assert extra["llm.cost.total"] == pytest.approx(profile.cost(2000, 300))
    assert extra["llm.cost.total"] > 0
    assert extra["llm.cost.prompt"] + extra["llm.cost.completion"] == pytest.approx(
        extra["llm.cost.total"]
    )
    assert extra["gen_ai.system"] == "infralab-sim"
    # A model that is not in the catalog gets token attributes but no invented price.
    other = llm_attributes({**attrs, "llm.model_name": "gpt-4o-mini", "llm.provider": "openai"})
    assert "llm.cost.total" not in other
    assert other["gen_ai.system"] == "openai"
    assert other["gen_ai.usage.input_tokens"] == 2000
    # Non-LLM spans are left alone; an instrumentor's own GenAI values are not overwritten.
    assert llm_attributes({"openinference.span.kind": "CHAIN"}) == {}
    assert "gen_ai.request.model" not in llm_attributes({**attrs, "gen_ai.request.model": "x"})


def test_setup_twice_neither_double_instruments_nor_duplicates(tracing):
    again = setup_tracing("test-tracing")
    assert again is tracing
    model = SleepyModel(messages=itertools.cycle([_reply()]), latency=0.1)
    with use_clock(VirtualClock()):
        _graph(model).invoke({"messages": [HumanMessage("hello")]})
    names = sorted(s.name for s in tracing.spans())
    assert names == ["LangGraph", "SleepyModel", "agent"]

    from langchain_core.callbacks import BaseCallbackHandler, CallbackManager
    from openinference.instrumentation.langchain._tracer import OpenInferenceTracer

    from infralab._langchain_spans import SpanHandler

    handlers = CallbackManager(handlers=[]).inheritable_handlers
    assert sum(isinstance(h, SpanHandler) for h in handlers) == 1
    assert not any(isinstance(h, OpenInferenceTracer) for h in handlers)
    # A manager made with our handler already in it does not get a second copy.
    again_handlers = CallbackManager(handlers=list(handlers)).inheritable_handlers
    assert sum(isinstance(h, BaseCallbackHandler) for h in again_handlers) == len(handlers)


def test_clear_restarts_ids_so_a_rerun_is_identical(tracing):
    model = SleepyModel(messages=itertools.cycle([_reply()]), latency=1.0)
    graph = _graph(model)
    with use_clock(VirtualClock()):
        graph.invoke({"messages": [HumanMessage("hello")]})
    first = tracing.span_rows()
    tracing.clear()
    assert tracing.spans() == ()
    with use_clock(VirtualClock()):
        graph.invoke({"messages": [HumanMessage("hello")]})
    assert tracing.span_rows() == first


def test_error_status_and_event_time(tracing):
    model = SleepyModel(messages=itertools.cycle([_reply()]), latency=3.0, fail=True)
    with use_clock(VirtualClock()), pytest.raises(RuntimeError, match="provider exploded"):
        _graph(model).invoke({"messages": [HumanMessage("hello")]})
    rows = {r["name"]: r for r in tracing.span_rows()}
    assert rows["SleepyModel"]["status"] == "ERROR"
    assert "provider exploded" in rows["SleepyModel"]["error"]
    span = next(s for s in tracing.spans() if s.name == "SleepyModel")
    assert span.events, "the exception should be recorded as an event"
    assert all(e.timestamp == span.end_time for e in span.events)


def test_manual_spans_use_the_clock_too(tracing):
    with use_clock(VirtualClock(start=5.0)) as clock:
        with tracing.tracer.start_as_current_span("retry-loop"):
            with tracing.tracer.start_as_current_span("attempt"):
                clock.advance(1.5)
            clock.advance(0.25)
    rows = tracing.span_rows()
    assert [(r["name"], r["start_s"], r["end_s"], r["parent"]) for r in rows] == [
        ("retry-loop", 5.0, 6.75, None),
        ("attempt", 5.0, 6.5, "retry-loop"),
    ]


def test_real_clock_spans_are_marked_real(tracing):
    with use_clock(RealClock()):
        with tracing.tracer.start_as_current_span("wall"):
            pass
    (span,) = tracing.spans()
    assert span.attributes["infralab.clock"] == "real"
    assert span.start_time > VIRTUAL_EPOCH_NS


def test_bad_endpoint_is_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match=r"endpoint argument .* got '127\.0\.0\.1:6006'"):
        setup_tracing("x", endpoint="127.0.0.1:6006")
    monkeypatch.setenv(ENDPOINT_ENV, "ftp://example")
    with pytest.raises(ValueError, match=ENDPOINT_ENV):
        setup_tracing("x")
    with pytest.raises(ValueError, match="project_name"):
        setup_tracing("  ")


def test_deterministic_ids():
    a, b = DeterministicIdGenerator("s"), DeterministicIdGenerator("s")
    seq_a = [a.generate_trace_id(), a.generate_span_id(), a.generate_span_id()]
    assert seq_a == [b.generate_trace_id(), b.generate_span_id(), b.generate_span_id()]
    assert len(set(seq_a)) == 3
    assert seq_a[0] < 2**128 and seq_a[1] < 2**64
    assert DeterministicIdGenerator("t").generate_trace_id() != seq_a[0]
    a.reset()
    assert a.generate_trace_id() == seq_a[0]


def test_phoenix_view_salts_ids_and_moves_virtual_time_to_now():
    processor = ClockSpanProcessor(Resource.create({"openinference.project.name": "p"}))
    memory, phoenix = InMemorySpanExporter(), InMemorySpanExporter()
    view = PhoenixView(processor, salt=b"session-1")
    processor.set_sinks([(SimpleSpanProcessor(memory), None), (SimpleSpanProcessor(phoenix), view)])
    provider = TracerProvider(id_generator=DeterministicIdGenerator("v"), shutdown_on_exit=False)
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("t")
    import time

    before = time.time_ns()
    with use_clock(VirtualClock()) as clock:
        with tracer.start_as_current_span("root"):
            clock.advance(600)  # a 10-minute drill, in no wall time
            with tracer.start_as_current_span("child"):
                clock.advance(2)
    after = time.time_ns()
    mem = {s.name: s for s in memory.get_finished_spans()}
    pho = {s.name: s for s in phoenix.get_finished_spans()}
    assert mem["root"].start_time == VIRTUAL_EPOCH_NS
    # Same span, other ids; parent link preserved under the mapping.
    assert pho["root"].context.span_id != mem["root"].context.span_id
    assert pho["child"].parent.span_id == pho["root"].context.span_id
    assert pho["child"].context.trace_id == pho["root"].context.trace_id
    # Durations and offsets are exactly as simulated; the trace starts at wall "now".
    assert before <= pho["root"].start_time <= after
    assert pho["root"].end_time - pho["root"].start_time == 602 * 10**9
    assert pho["child"].start_time - pho["root"].start_time == 600 * 10**9
    assert pho["root"].resource.attributes["openinference.project.name"] == "p"
    # Another session (salt) maps the same ids elsewhere; a new generation too.
    other = PhoenixView(processor, salt=b"session-2")(mem["root"], True)
    assert other.context.span_id != pho["root"].context.span_id
    provider.shutdown()


def test_reruns_in_fresh_processes_are_identical():
    script = textwrap.dedent(
        """
        import itertools, json, sys
        sys.path.insert(0, {tests!r})
        from test_tracing import SleepyModel, _graph, _reply
        from langchain_core.messages import HumanMessage
        from infralab.clock import VirtualClock, use_clock
        from infralab.tracing import setup_tracing
        t = setup_tracing("repro")
        model = SleepyModel(messages=itertools.cycle([_reply()]), latency=1.25)
        with use_clock(VirtualClock()):
            _graph(model).invoke({{"messages": [HumanMessage("hello")]}})
        print(json.dumps([t.span_rows(), [dict(s.resource.attributes) for s in t.spans()]]))
        """
    ).format(tests=str(REPO / "tests"))
    env_free = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "random"}
    outs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env_free
        ).stdout
        for _ in range(2)
    ]
    assert outs[0] == outs[1]
    rows, resources = json.loads(outs[0])
    assert len(rows) == 3
    assert resources[0]["openinference.project.name"] == "repro"
    assert "service.instance.id" not in resources[0]


def test_kernel_never_imports_the_phoenix_server():
    script = textwrap.dedent(
        """
        import sys
        from opentelemetry import trace
        from infralab.clock import VirtualClock, use_clock
        from infralab.tracing import setup_tracing
        t = setup_tracing("no-phoenix", endpoint="http://127.0.0.1:9")
        with use_clock(VirtualClock()):
            with t.tracer.start_as_current_span("x"):
                pass
        import infralab.widgets
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "phoenix")
        print(",".join(loaded) or "none")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "none"


def test_a_phoenix_that_is_down_costs_one_message(caplog):
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    from infralab._tracing_processor import GuardedExporter

    class Flaky(SpanExporter):
        def __init__(self):
            self.calls, self.up = 0, False

        def export(self, spans):
            self.calls += 1
            return SpanExportResult.SUCCESS if self.up else SpanExportResult.FAILURE

    inner = Flaky()
    guard = GuardedExporter(inner, "http://127.0.0.1:1/v1/traces", pause_s=3600)
    with caplog.at_level("WARNING", logger="infralab.tracing"):
        assert guard.export([]) is SpanExportResult.FAILURE
        assert guard.export([]) is SpanExportResult.FAILURE  # paused: not even tried
    assert inner.calls == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "infralab.tracing"]
    assert len(messages) == 1 and "make lab" in messages[0] and "127.0.0.1:1" in messages[0]
    guard._down_until = 0.0  # the pause is over
    inner.up = True
    with caplog.at_level("WARNING", logger="infralab.tracing"):
        assert guard.export([]) is SpanExportResult.SUCCESS
    assert "again" in caplog.records[-1].getMessage()


def test_openinference_instrumented_elsewhere_is_turned_off_so_no_span_is_doubled(tracing):
    """e.g. phoenix.otel.register(auto_instrument=True) ran first: its instrumentor would send
    a second copy of every run's span to its own provider."""
    from openinference.instrumentation.langchain import LangChainInstrumentor

    other = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(other))
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(tracer_provider=provider, skip_dep_check=True)
    try:
        again = setup_tracing("test-tracing")
        assert not instrumentor.is_instrumented_by_opentelemetry
        model = SleepyModel(messages=itertools.cycle([_reply()]), latency=0.1)
        with use_clock(VirtualClock()):
            _graph(model).invoke({"messages": [HumanMessage("hello")]})
        assert sorted(s.name for s in again.spans()) == ["LangGraph", "SleepyModel", "agent"]
        assert other.get_finished_spans() == ()
    finally:
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
