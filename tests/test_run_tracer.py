"""infralab._run_tracer: LangChain run spans finished without the SDK's Span, same result.

The reference is the SDK: the same operations on an SDK span (a TracerProvider whose
processor is a ClockSpanProcessor) and on a RunSpan (ending in an identical processor), and
the same LangChain / LangGraph runs traced by our handler onto the SDK's tracer and onto the
RunTracer, must give finished spans equal in every field: name, ids, parent, kind,
attributes (values and order), events, links, status, clock times, scope, resource.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from langgraph.graph import MessagesState
from opentelemetry import trace as trace_api
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, Status, StatusCode
from stubs.agents import tool_agent

from infralab import _langchain_spans
from infralab._run_tracer import RunSpan, RunTracer
from infralab._tracing_processor import ClockSpanProcessor, DeterministicIdGenerator
from infralab.clock import VirtualClock, current_clock, use_clock
from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel
from infralab.tools import SupportDesk
from infralab.tracing import current_run_span, setup_tracing

SCOPE = "infralab.langchain"


def _event_attributes(event: Any) -> list[tuple[str, Any]]:
    """An event's attributes; of a stack trace, its innermost frame and the error (the frames
    of each tracer's own ``start_as_current_span`` differ)."""
    out = []
    for key, value in (event.attributes or {}).items():
        if key == "exception.stacktrace":
            value = value[value.rindex('  File "') :]
        out.append((key, value))
    return out


# LangGraph's checkpoint namespaces, LangChain's run ids and message ids: random per run.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _fields(span: ReadableSpan, *, random_ids: bool = False) -> dict[str, Any]:
    """Everything a sink can read of a finished span (with ``random_ids``, every UUID in a
    string attribute reads ``<uuid>``)."""
    attrs = dict(span.attributes or {})
    if random_ids:
        attrs = {k: _UUID.sub("<uuid>", v) if isinstance(v, str) else v for k, v in attrs.items()}
    return {
        "name": span.name,
        "context": span.context,
        "parent": span.parent,
        "kind": span.kind,
        "attributes": list(attrs.items()),  # order too: the SDK drops the oldest first
        "events": [(e.name, _event_attributes(e), e.timestamp) for e in span.events],
        "links": [(link.context, dict(link.attributes or {})) for link in span.links],
        "status": (span.status.status_code, span.status.description),
        "times": (span.start_time, span.end_time),
        "scope": span.instrumentation_scope,
        "resource": span.resource.attributes,
    }


class _Pair:
    """An SDK tracer and a RunTracer, each ending spans in its own ClockSpanProcessor."""

    def __init__(self, limits: SpanLimits | None = None) -> None:
        resource = Resource({"service.name": "test-run-tracer"})
        self.sdk_spans, self.run_spans = InMemorySpanExporter(), InMemorySpanExporter()
        sdk_processor = ClockSpanProcessor(resource)
        sdk_processor.set_sinks([(SimpleSpanProcessor(self.sdk_spans), None)])
        provider = TracerProvider(
            id_generator=DeterministicIdGenerator("pair"), span_limits=limits or SpanLimits()
        )
        provider.add_span_processor(sdk_processor)
        self.sdk = provider.get_tracer(SCOPE)
        run_processor = ClockSpanProcessor(resource)
        run_processor.set_sinks([(SimpleSpanProcessor(self.run_spans), None)])
        self.run = RunTracer(run_processor, DeterministicIdGenerator("pair"), SCOPE, limits)

    def both(self, script: Callable[[trace_api.Tracer], None]) -> tuple[list, list]:
        for tracer in (self.sdk, self.run):
            with use_clock(VirtualClock()):
                script(tracer)
        return (
            [_fields(s) for s in self.sdk_spans.get_finished_spans()],
            [_fields(s) for s in self.run_spans.get_finished_spans()],
        )


def _error() -> ValueError:
    try:
        raise ValueError("order A-1 cannot be refunded")
    except ValueError as error:
        return error


def _clock() -> VirtualClock:
    current = current_clock()
    assert isinstance(current, VirtualClock)
    return current


def _attributes(span: trace_api.Span) -> None:
    span.set_attributes({"a": "x", "b": 1, "c": 2.5, "d": True})
    span.set_attributes({"list": ["p", "q"], "ints": (1, 2), "bad": {"no": 1}, "none": None})
    span.set_attribute("a", "again")  # moves to the end
    span.set_attributes({"": "empty key"})
    span.set_attributes({})


def _events(span: trace_api.Span) -> None:
    span.add_event("note", {"k": "v", "n": [1, 2], "bad": {"x": 1}})
    _clock().sleep(2.0)
    span.record_exception(_error(), {"extra": 1})
    span.add_event("later")


def _statuses(span: trace_api.Span) -> None:
    span.set_status(StatusCode.UNSET)
    span.set_status(Status(StatusCode.ERROR, "first"))
    span.set_status(StatusCode.ERROR, "second")
    span.set_status(Status(StatusCode.ERROR), "ignored description")
    span.set_status(StatusCode.OK)
    span.set_status(Status(StatusCode.ERROR, "too late: OK is final"))


def _after_end(span: trace_api.Span) -> None:
    span.end()
    span.set_attribute("late", 1)
    span.add_event("late")
    span.set_status(StatusCode.ERROR, "late")
    span.update_name("late")


OPERATIONS = {
    "attributes": _attributes,
    "events": _events,
    "statuses": _statuses,
    "renamed": lambda span: span.update_name("renamed"),
    "after end": _after_end,
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_gives_the_sdk_spans_finished_span(name, caplog):
    operation = OPERATIONS[name]

    def script(tracer: trace_api.Tracer) -> None:
        with tracer.start_as_current_span("root", attributes={"root": True}):
            _clock().sleep(1.0)
            here = trace_api.get_current_span().get_span_context()
            span = tracer.start_span("child", links=[Link(here, {"why": "x"})])
            operation(span)
            _clock().sleep(0.5)
            span.end()

    with caplog.at_level(logging.WARNING):
        sdk, run = _Pair().both(script)
    assert len(sdk) == len(run) == 2
    assert sdk == run


@pytest.mark.parametrize(
    "limits",
    [
        SpanLimits(max_span_attributes=3),
        SpanLimits(max_span_attribute_length=4),
        SpanLimits(max_events=2, max_event_attributes=1),
        SpanLimits(max_links=0),
    ],
    ids=["3 attributes", "values of 4 characters", "2 events of 1 attribute", "no links"],
)
def test_span_limits_apply_as_in_the_sdk(limits):
    def script(tracer: trace_api.Tracer) -> None:
        with tracer.start_as_current_span("root") as root:
            span = tracer.start_span("child", links=[Link(root.get_span_context())])
            for i in range(6):
                span.set_attributes({f"k{i}": f"value {i}", f"list{i}": ["abcdef", "g"]})
                span.add_event(f"e{i}", {"x": "long value", "y": i})
            span.set_attribute("k1", "again")
            span.end()

    sdk, run = _Pair(limits).both(script)
    assert sdk == run
    assert sdk[0]["attributes"] != []  # the script did write something


def test_an_exception_in_start_as_current_span_is_recorded_as_the_sdk_records_it():
    def script(tracer: trace_api.Tracer) -> None:
        with pytest.raises(KeyError), tracer.start_as_current_span("failing"):
            raise KeyError("missing")

    sdk, run = _Pair().both(script)
    assert sdk == run
    assert run[0]["status"][0] is StatusCode.ERROR
    assert [name for name, _, _ in run[0]["events"]] == ["exception"]


def test_a_span_ended_twice_is_sent_once(caplog):
    pair = _Pair()
    with use_clock(VirtualClock()):
        span = pair.run.start_span("once")
        span.end()
        with caplog.at_level(logging.WARNING, logger="infralab.tracing"):
            span.end()
    assert len(pair.run_spans.get_finished_spans()) == 1
    assert "ended span" in caplog.records[-1].getMessage()
    assert not span.is_recording()


def test_a_run_span_is_an_api_span_that_parents_sdk_spans():
    pair = _Pair()
    with use_clock(VirtualClock()):
        run = pair.run.start_span("run")
        assert isinstance(run, trace_api.Span) and isinstance(run, RunSpan)
        assert run.is_recording()
        with pair.sdk.start_as_current_span("mine", context=trace_api.set_span_in_context(run)):
            pass
        run.end()
    (mine,) = pair.sdk_spans.get_finished_spans()
    assert mine.parent.span_id == run.get_span_context().span_id
    assert mine.context.trace_id == run.get_span_context().trace_id


# -- the same LangChain runs, through our handler on each tracer ---------------------------


@tool
def refund_order(order_id: str) -> str:
    """Refund an order (always fails here)."""
    raise ValueError(f"order {order_id} cannot be refunded")


def _runs() -> None:
    scenario = next(s for s in load_scenarios() if len(s.expected_tool_calls) >= 2)
    desk = SupportDesk(scenario=scenario)
    tools = desk.tools()
    model = SimChatModel(seed=3).bind_tools(tools)

    def agent(state: MessagesState) -> dict[str, Any]:
        span = current_run_span()
        if span is not None:  # a node writing onto its own run's span
            span.set_attribute("agent.turn", len(state["messages"]))
        return {"messages": [model.invoke([SystemMessage("Help."), *state["messages"]])]}

    tracer = trace_api.get_tracer("test-run-tracer")
    with use_clock(VirtualClock()), tracer.start_as_current_span("request"):
        tool_agent(agent, tools).invoke(
            {"messages": [HumanMessage(scenario.message)]},
            {"configurable": {"thread_id": "t-1"}, "metadata": {"session_id": "s-42"}},
        )
        with pytest.raises(ValueError):
            refund_order.invoke({"order_id": "A-1"})


@pytest.fixture
def tracing() -> Iterator[Any]:
    tracing = setup_tracing("test-run-tracer")
    tracing.clear()
    yield tracing
    tracing.shutdown()
    tracing.clear()


def test_langchain_runs_traced_on_the_run_tracer_equal_the_sdk_tracer(tracing):
    from infralab.tracing import _get_runtime

    handler = _langchain_spans.installed()
    assert isinstance(handler._tracer, RunTracer)  # what setup_tracing installs
    _runs()
    fast = [_fields(s, random_ids=True) for s in tracing.spans()]
    tracing.clear()
    _langchain_spans.install(_get_runtime().provider.get_tracer(SCOPE))
    _runs()
    sdk = [_fields(s, random_ids=True) for s in tracing.spans()]
    assert len(fast) >= 8
    assert {row["name"] for row in fast} >= {"LangGraph", "agent", "tools", "refund_order"}
    assert fast == sdk
