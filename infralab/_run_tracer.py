"""Internals of :mod:`infralab.tracing`: the spans of LangChain runs, without the SDK's ``Span``.

Why: the SDK's live ``Span`` is made for spans that many threads may touch while they are
open. Each one builds a lock, a bounded attribute map with its own lock and two bounded
lists with theirs, validates every attribute one call at a time when it is set (an LLM span
has about 45) and is copied into a ``ReadableSpan`` when it ends, which our clock processor
then copies again with clock times. A LangChain run span is opened and closed by one
callback handler and written once, at the run's end (``infralab._langchain_spans``). On the
1,000-episode benchmark (``benchmarks/bench_episodes.py``) the SDK's span objects were
about a third of what tracing cost (``benchmarks/bench_tracing_breakdown.py``).

:class:`RunTracer` hands out :class:`RunSpan` objects: plain records that implement the
OpenTelemetry API's ``Span`` (so ``set_span_in_context(span)`` parents your own spans under a
run, as :func:`infralab.tracing.current_run_span` promises) and, when ended, go straight to
:meth:`ClockSpanProcessor.finish <infralab._tracing_processor.ClockSpanProcessor.finish>`,
which builds the one finished ``ReadableSpan`` every sink receives. What the SDK would do is
kept: ids from the provider's id generator in the SDK's order (trace id, then span id), so
a run gets the same ids either way; the sampled flag of ``ALWAYS_ON``; the parent's trace
state; the span limits of ``SpanLimits()`` (environment variables included): attribute
count (oldest dropped first), value length, events and their attributes; the SDK's own
validation (``BoundedAttributes``) for any value that is not a plain ``str``, ``bool``,
``int`` or ``float``; the exception event of ``record_exception``; and the status rules
(``OK`` is final, ``UNSET`` is ignored). ``tests/test_run_tracer.py`` traces the same runs
both ways and compares the finished spans field by field.

What it drops: processors added to the ``TracerProvider`` by hand never see these spans (the
provider's processor is :class:`~infralab._tracing_processor.ClockSpanProcessor`, whose sinks
do), and the SDK's span metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as context_api
from opentelemetry import trace as trace_api
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import Event, SpanLimits
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.util import types

from infralab._tracing_processor import ClockSpanProcessor, _Started

__all__ = ["RunTracer", "RunSpan"]

_log = logging.getLogger("infralab.tracing")

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_UNSET = Status(StatusCode.UNSET)
# Values that need no validation (the SDK accepts them as they are, unless a length limit
# applies to strings); anything else goes through the SDK's BoundedAttributes.
_PLAIN = frozenset((str, bool, int, float))
_STR = frozenset((str,))


class RunTracer(trace_api.Tracer):
    """A tracer whose spans end straight in a :class:`ClockSpanProcessor` (see module doc).

    Args:
        processor: the provider's clock processor (its sinks receive the finished spans).
        ids: the provider's id generator.
        name: the instrumentation scope's name (``TracerProvider.get_tracer``'s first
            argument).
        limits: span limits; default ``SpanLimits()`` (the SDK's defaults and environment).
    """

    def __init__(
        self,
        processor: ClockSpanProcessor,
        ids: IdGenerator,
        name: str,
        limits: SpanLimits | None = None,
    ) -> None:
        self.processor = processor
        self.ids = ids
        # As the SDK's get_tracer builds it (no version is the empty string there).
        self.scope = InstrumentationScope(name, "")
        self.limits = limits if limits is not None else SpanLimits()

    def start_span(
        self,
        name: str,
        context: context_api.Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: types.Attributes = None,
        links: Sequence[Link] | None = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> RunSpan:
        """A started span; its parent is the span in ``context`` (default: the current one).

        ``start_time`` is ignored: every span takes its times from the current clock.
        """
        parent = trace_api.get_current_span(context).get_span_context()
        return self._start(name, parent, kind, links, attributes)

    def start_child(self, name: str, parent: trace_api.Span) -> RunSpan:
        """``start_span(name, context=set_span_in_context(parent))``, without the Context."""
        return self._start(name, parent.get_span_context(), SpanKind.INTERNAL, (), None)

    def _start(
        self,
        name: str,
        parent: SpanContext | None,
        kind: SpanKind,
        links: Sequence[Link] | None,
        attributes: types.Attributes,
    ) -> RunSpan:
        if parent is None or not parent.is_valid:
            parent = None
            trace_id = self.ids.generate_trace_id()
            trace_state = None
        else:
            trace_id = parent.trace_id
            trace_state = parent.trace_state
        span_context = SpanContext(
            trace_id,
            self.ids.generate_span_id(),
            is_remote=False,
            trace_flags=_SAMPLED,
            trace_state=trace_state,
        )
        span = RunSpan(self, name, span_context, parent, kind, tuple(links or ()))
        if attributes:
            span.set_attributes(attributes)
        return span

    @contextmanager
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: context_api.Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: types.Attributes = None,
        links: Sequence[Link] | None = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[RunSpan]:
        """:meth:`start_span`, made the current span for the ``with`` block."""
        span = self.start_span(name, context, kind, attributes, links)
        with trace_api.use_span(
            span,
            end_on_exit=end_on_exit,
            record_exception=record_exception,
            set_status_on_exception=set_status_on_exception,
        ) as current:
            yield current  # type: ignore[misc]


class RunSpan(trace_api.Span):
    """An open span of :class:`RunTracer`; :meth:`end` sends it to the clock processor.

    Meant for one writer (a LangChain run is opened and closed by one handler); unlike the
    SDK's span it takes no lock.
    """

    __slots__ = (
        "_tracer",
        "_name",
        "_context",
        "_parent",
        "_kind",
        "_links",
        "_attributes",
        "_events",
        "_status",
        "_started",
        "_ended",
        "dropped_attributes",
    )

    def __init__(
        self,
        tracer: RunTracer,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        kind: SpanKind,
        links: tuple[Link, ...],
    ) -> None:
        self._tracer = tracer
        self._name = name
        self._context = context
        self._parent = parent
        self._kind = kind
        max_links = tracer.limits.max_links
        self._links = links if max_links is None else links[:max_links]
        self._attributes: dict[str, Any] = {}
        self._events: list[Event] = []
        self._status = _UNSET
        self._ended = False
        #: attributes dropped because the span was full (as the SDK counts them)
        self.dropped_attributes = 0
        self._started: _Started = tracer.processor.stamp_start(context, parent)

    # -- the API's Span ---------------------------------------------------------------------

    def get_span_context(self) -> SpanContext:
        return self._context

    @property
    def name(self) -> str:
        """The span's name."""
        return self._name

    @property
    def parent(self) -> SpanContext | None:
        """The parent span's context, None for a root span."""
        return self._parent

    def is_recording(self) -> bool:
        return not self._ended

    def _open(self, what: str) -> bool:
        if self._ended:
            _log.warning("Tried calling %s on an ended span.", what)
            return False
        return True

    def set_attributes(self, attributes: Mapping[str, types.AttributeValue]) -> None:
        if not attributes or not self._open("set_attributes"):
            return
        limits = self._tracer.limits
        max_length = limits.max_span_attribute_length
        # The types of all keys and values at C speed (a generator over the items cost more
        # than the rest of this method for an LLM span's ~45 attributes).
        if (
            max_length is None
            and _PLAIN.issuperset(map(type, attributes.values()))
            and _STR.issuperset(map(type, attributes))
            and "" not in attributes
        ):
            clean: Mapping[str, Any] = attributes
        else:  # the SDK's validation: sequences to tuples, bad values dropped with a warning
            clean = BoundedAttributes(None, attributes, immutable=False, max_value_len=max_length)
        mine = self._attributes
        if not mine:
            mine.update(clean)
        else:
            for key, value in clean.items():
                # As the SDK's BoundedAttributes: a key set again moves to the end.
                mine.pop(key, None)
                mine[key] = value
        limit = limits.max_span_attributes
        if limit is not None:
            while len(mine) > limit:  # the oldest go first, as in the SDK
                del mine[next(iter(mine))]
                self.dropped_attributes += 1

    def set_attribute(self, key: str, value: types.AttributeValue) -> None:
        self.set_attributes({key: value})

    def add_event(
        self, name: str, attributes: types.Attributes = None, timestamp: int | None = None
    ) -> None:
        if not self._open("add_event"):
            return
        limits = self._tracer.limits
        event = Event(
            name,
            BoundedAttributes(
                limits.max_event_attributes,
                attributes,
                immutable=True,
                max_value_len=limits.max_attribute_length,
            ),
            timestamp,
        )
        if limits.max_events is not None and len(self._events) >= limits.max_events:
            if not limits.max_events:
                return
            del self._events[0]  # the SDK's bounded list drops the oldest
        self._events.append(event)

    def record_exception(
        self,
        exception: BaseException,
        attributes: types.Attributes = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """An ``exception`` event with the SDK's attributes (type, message, stack trace)."""
        # The SDK's own method: it builds the event's attributes and calls self.add_event.
        SdkSpan.record_exception(self, exception, attributes, timestamp, escaped)  # type: ignore[arg-type]

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        if not self._open("set_status"):
            return
        if self._status.status_code is StatusCode.OK:
            return  # OK is final
        if isinstance(status, Status):
            if status.status_code is StatusCode.UNSET:
                return
            if description is not None:
                _log.warning(
                    "Description %s ignored. Use either `Status` or `(StatusCode, Description)`",
                    description,
                )
            self._status = status
        elif isinstance(status, StatusCode) and status is not StatusCode.UNSET:
            self._status = Status(status, description)

    def update_name(self, name: str) -> None:
        if self._open("update_name"):
            self._name = name

    def end(self, end_time: int | None = None) -> None:
        """Finish the span (its end time is the current clock's; ``end_time`` is ignored)."""
        if self._ended:
            _log.warning("Calling end() on an ended span.")
            return
        self._ended = True
        self._tracer.processor.finish(
            name=self._name,
            context=self._context,
            parent=self._parent,
            kind=self._kind,
            attributes=self._attributes,
            events=self._events,
            links=self._links,
            status=self._status,
            scope=self._tracer.scope,
            started=self._started,
        )

    def __repr__(self) -> str:
        return (
            f"RunSpan(name={self._name!r}, span_id=0x{self._context.span_id:016x}, "
            f"ended={self._ended})"
        )
