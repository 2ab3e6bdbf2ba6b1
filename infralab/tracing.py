"""OpenTelemetry tracing for the labs: spans on the current clock, read in memory, seen in Phoenix.

One call, :func:`setup_tracing`, gives a notebook everything:

- a TracerProvider whose spans are stamped from :func:`infralab.clock.current_clock` (so a
  simulated 2-second model call is a 2-second span, and a run gives the same timestamps
  every time) with deterministic trace and span ids;
- an in-memory exporter, what grade cells and widgets read (:meth:`Tracing.span_rows`);
- OpenTelemetry GenAI attributes (``gen_ai.request.model``, ``gen_ai.usage.input_tokens``...)
  and the call's price in USD (``llm.cost.total``, from the simulator's catalog) on LLM spans;
- LangChain / LangGraph auto-instrumentation, so every graph node, model call and tool call
  is a span with no code change, written to OpenInference's conventions (what Phoenix reads)
  by our own callback handler (``infralab._langchain_spans``: the same spans as
  OpenInference's ``LangChainInstrumentor`` at a fraction of its cost);
- export over OTLP/HTTP to Phoenix when an endpoint is given or ``PHOENIX_COLLECTOR_ENDPOINT``
  is set (``make lab`` sets it), in the project named by ``project_name``.

This module never imports the Phoenix server package (``phoenix``): it only speaks OTLP to it.

Introduced in lab ``00-orientation``; the observability lab of track A builds on it.

Example:
    >>> from infralab.tracing import setup_tracing
    >>> tracing = setup_tracing("my-lab")             # doctest: +SKIP
    >>> graph.invoke({"messages": [...]})              # doctest: +SKIP
    >>> tracing.span_rows()[0]["name"]                 # doctest: +SKIP
    'LangGraph'
"""

from __future__ import annotations

import os
import secrets
import threading
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import trace as trace_api
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from infralab._run_tracer import RunTracer
from infralab._tracing_processor import (
    ClockSpanProcessor,
    DeterministicIdGenerator,
    GuardedExporter,
    PhoenixView,
)
from infralab.clock import VIRTUAL_EPOCH_NS

__all__ = ["Tracing", "setup_tracing", "current_run_span", "ENDPOINT_ENV", "PROJECT_ATTRIBUTE"]

#: Environment variable that names the Phoenix collector (``make lab`` sets it).
ENDPOINT_ENV = "PHOENIX_COLLECTOR_ENDPOINT"
#: OpenInference resource attribute that picks the Phoenix project of a span.
PROJECT_ATTRIBUTE = "openinference.project.name"

_INSTRUMENTATION_NAME = "infralab"
#: Instrumentation scope of the spans of LangChain / LangGraph runs.
_LANGCHAIN_INSTRUMENTATION = "infralab.langchain"


def _resolve_endpoint(endpoint: str | None) -> str | None:
    """The OTLP/HTTP traces URL for ``endpoint`` (or the env variable), or None for none."""
    source = "endpoint argument"
    if endpoint is None:
        endpoint = os.environ.get(ENDPOINT_ENV) or None
        source = f"environment variable {ENDPOINT_ENV}"
    if endpoint is None:
        return None
    if not isinstance(endpoint, str):
        raise TypeError(f"setup_tracing: endpoint must be a URL string, got {endpoint!r}")
    url = endpoint.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"setup_tracing: {source} must be an http(s) URL such as "
            f"http://127.0.0.1:6006, got {endpoint!r}"
        )
    path = parts.path.rstrip("/")
    if not path.endswith("/v1/traces"):
        path += "/v1/traces"
    return parts._replace(path=path, query="", fragment="").geturl()


def _session_for(endpoint: str) -> Any:
    """A requests session; for a loopback Phoenix one that ignores HTTP(S)_PROXY variables."""
    import requests

    session = requests.Session()
    if urlsplit(endpoint).hostname in ("127.0.0.1", "localhost", "::1"):
        session.trust_env = False  # a corporate proxy cannot reach this machine's Phoenix
    return session


def _resource(project_name: str) -> Resource:
    """The spans' resource. Built directly, not with ``Resource.create``, which adds a random
    ``service.instance.id``: the same run must give the same spans in every process."""
    from opentelemetry.sdk.version import __version__ as sdk_version

    return Resource(
        {
            "service.name": project_name,
            PROJECT_ATTRIBUTE: project_name,
            "telemetry.sdk.language": "python",
            "telemetry.sdk.name": "opentelemetry",
            "telemetry.sdk.version": sdk_version,
        }
    )


class _Runtime:
    """The process-wide pieces: one provider (OpenTelemetry allows one global) and processor."""

    def __init__(self) -> None:
        self.ids = DeterministicIdGenerator()
        self.processor = ClockSpanProcessor(_resource("infralab"))
        # ALWAYS_ON explicitly: an OTEL_TRACES_SAMPLER in the environment must not thin the
        # spans graders read.
        self.provider = TracerProvider(sampler=ALWAYS_ON, id_generator=self.ids)
        self.provider.add_span_processor(self.processor)
        if isinstance(trace_api.get_tracer_provider(), trace_api.ProxyTracerProvider):
            # Only when nobody set one: OpenTelemetry refuses to replace a global provider.
            trace_api.set_tracer_provider(self.provider)
        self.langchain_handler: object | None = None  # the span handler LangChain runs call


_lock = threading.RLock()
_runtime: _Runtime | None = None
_active: Tracing | None = None


def _get_runtime() -> _Runtime:
    global _runtime
    if _runtime is None:
        _runtime = _Runtime()
    return _runtime


def _instrument_langchain(runtime: _Runtime, on: bool) -> None:
    """Trace every LangChain / LangGraph run onto our provider (or stop), exactly once."""
    # OpenInference's own instrumentor, set up by someone else (e.g. phoenix.otel.register):
    # its spans would not reach our exporter, and two handlers would double every span.
    from openinference.instrumentation.langchain import LangChainInstrumentor

    from infralab import _langchain_spans

    instrumentor = LangChainInstrumentor()  # a singleton (BaseInstrumentor.__new__)
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    handler = _langchain_spans.installed()
    if on and handler is not None and handler is runtime.langchain_handler:
        return
    _langchain_spans.uninstall()
    runtime.langchain_handler = None
    if on:
        # Run spans skip the SDK's live Span and end straight in our processor (why, and what
        # is kept of the SDK's behaviour: infralab/_run_tracer.py).
        tracer = RunTracer(runtime.processor, runtime.ids, _LANGCHAIN_INSTRUMENTATION)
        runtime.langchain_handler = _langchain_spans.install(tracer)


class Tracing:
    """The tracing set up by :func:`setup_tracing`: the spans and how to read them.

    Attributes:
        project_name: the Phoenix project (resource attribute ``openinference.project.name``).
        endpoint: the OTLP/HTTP URL spans are sent to, or None when only kept in memory.
        exporter: the ``InMemorySpanExporter`` holding every finished span (what graders read).
        provider: the OpenTelemetry ``TracerProvider`` (your own spans go through it; the
            spans of LangChain runs reach the exporters without it, so a processor you add
            to it sees your spans only: read ``exporter`` or Phoenix for all of them).
        tracer: a tracer for your own spans (``with tracing.tracer.start_as_current_span(...)``).
    """

    def __init__(self, runtime: _Runtime) -> None:
        self._runtime = runtime
        self.exporter = InMemorySpanExporter()
        self._memory = SimpleSpanProcessor(self.exporter)
        self._phoenix_view = PhoenixView(runtime.processor, secrets.token_bytes(16))
        self._otlp: SpanProcessor | None = None
        self.project_name = "infralab"
        self.endpoint: str | None = None
        self.instrument_langchain = False
        self.provider = runtime.provider
        self.tracer = runtime.provider.get_tracer(_INSTRUMENTATION_NAME)
        self._closed = False

    def _configure(self, project_name: str, endpoint: str | None, instrument: bool) -> None:
        runtime = self._runtime
        runtime.processor.resource = _resource(project_name)
        if project_name != self.project_name:
            runtime.ids.reset(project_name)
        self.project_name = project_name
        if endpoint != self.endpoint:
            if self._otlp is not None:
                self._otlp.shutdown()  # flushes what is queued for the old endpoint
                self._otlp = None
            if endpoint is not None:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                # Batched, so a notebook never waits on the network per span; flushed often
                # enough that spans appear in Phoenix while the learner looks.
                exporter = OTLPSpanExporter(
                    endpoint=endpoint, timeout=5, session=_session_for(endpoint)
                )
                self._otlp = BatchSpanProcessor(
                    GuardedExporter(exporter, endpoint), schedule_delay_millis=500
                )
            self.endpoint = endpoint
        sinks: list[tuple[SpanProcessor, Any]] = [(self._memory, None)]
        if self._otlp is not None:
            sinks.append((self._otlp, self._phoenix_view))
        runtime.processor.set_sinks(sinks)
        _instrument_langchain(runtime, instrument)
        self.instrument_langchain = instrument

    def spans(self) -> tuple[ReadableSpan, ...]:
        """Every finished span since the last :meth:`clear`, in the order they ended."""
        return self.exporter.get_finished_spans()

    def clear(self) -> None:
        """Forget the finished spans and restart the id sequence (a rerun gives the same ids).

        Call it between runs, not while a traced run is in progress (its open spans would
        share ids with the next run's).
        """
        self.exporter.clear()
        self._runtime.ids.reset()
        self._phoenix_view.new_generation()

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Send queued spans to Phoenix now; True when everything was exported in time."""
        return self.provider.force_flush(int(timeout_s * 1000))

    def span_rows(self) -> list[dict[str, Any]]:
        """The finished spans as plain dicts, parents before children, by start time.

        Keys: ``name``; ``kind`` (OpenInference kind such as ``"LLM"``, ``"CHAIN"``,
        ``"TOOL"``, else the OpenTelemetry kind); ``start_s`` / ``end_s`` (seconds on the
        virtual clock, i.e. since 2026-01-01T00:00:00Z) and ``duration_s``; ``model``,
        ``input_tokens``, ``output_tokens``, ``cost_usd`` (None where not an LLM call or
        unknown); ``status`` (``"OK"``, ``"ERROR"`` or ``"UNSET"``); ``error`` (the status
        description or None); ``parent`` (the parent span's name or None); ``span_id``,
        ``parent_id``, ``trace_id`` (hex) and ``depth`` (0 for a root).
        """
        return _span_rows(self.spans())

    def shutdown(self) -> None:
        """Flush and stop the Phoenix export, uninstrument LangChain, stop recording.

        The finished spans stay readable. A later :func:`setup_tracing` starts afresh.
        """
        global _active
        with _lock:
            if self._closed:
                return
            self._closed = True
            runtime = self._runtime
            runtime.processor.set_sinks([])
            if self._otlp is not None:
                self._otlp.shutdown()
                self._otlp = None
            _instrument_langchain(runtime, False)
            if _active is self:
                _active = None

    def __repr__(self) -> str:
        where = self.endpoint or "memory only"
        state = "closed" if self._closed else f"{len(self.spans())} spans"
        return f"Tracing(project={self.project_name!r}, export={where}, {state})"


def setup_tracing(
    project_name: str = "infralab",
    *,
    endpoint: str | None = None,
    instrument_langchain: bool = True,
) -> Tracing:
    """Trace this process: spans on the current clock, kept in memory, exported to Phoenix.

    Idempotent: calling it again (re-running a notebook cell) returns the same
    :class:`Tracing`, reconfigured if the arguments changed, and never instruments LangChain
    twice, so no span is duplicated. Finished spans are kept until :meth:`Tracing.clear`.

    Args:
        project_name: the Phoenix project the spans are filed under.
        endpoint: Phoenix's base URL (``http://127.0.0.1:6006``; spans go to ``/v1/traces``).
            Default: the ``PHOENIX_COLLECTOR_ENDPOINT`` environment variable; neither means
            spans stay in memory only.
        instrument_langchain: trace every LangChain / LangGraph run automatically (a span
            per graph, node, model call, tool call and prompt, with OpenInference's
            attributes); OpenInference's own ``LangChainInstrumentor``, if on, is turned off
            so that no run is traced twice.

    Returns:
        The process's :class:`Tracing`.

    Raises:
        ValueError: ``project_name`` is empty or the endpoint is not an http(s) URL.
    """
    global _active
    if not isinstance(project_name, str) or not project_name.strip():
        raise ValueError(
            f"setup_tracing: project_name must be a non-empty string, got {project_name!r}"
        )
    url = _resolve_endpoint(endpoint)
    with _lock:
        if _active is None:
            _active = Tracing(_get_runtime())
        _active._configure(project_name.strip(), url, bool(instrument_langchain))
        return _active


def current_run_span() -> trace_api.Span | None:
    """The span of the LangChain / LangGraph run the caller is inside (a node, a tool), or
    None when LangChain is not traced or the caller is outside any run.

    For your own spans inside a tool or a middleware hook, so they nest under the run's span
    in Phoenix: ``tracer.start_as_current_span("check", context=set_span_in_context(span))``.
    (OpenInference's ``get_current_span`` answers the same for its own instrumentor.)
    """
    from infralab._langchain_spans import current_run_span as current

    return current()


# ---------------------------------------------------------------------------------------------
# Plain rows, for grade cells and widgets


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _span_rows(spans: tuple[ReadableSpan, ...] | list[ReadableSpan]) -> list[dict[str, Any]]:
    """Plain dict rows for ``spans`` (see :meth:`Tracing.span_rows`)."""
    by_id = {s.context.span_id: s for s in spans if s.context is not None}

    def depth(span: ReadableSpan) -> int:
        d, seen = 0, set()
        parent = span.parent
        while parent is not None and parent.span_id in by_id and parent.span_id not in seen:
            seen.add(parent.span_id)
            d += 1
            parent = by_id[parent.span_id].parent
        return d

    keyed: list[tuple[tuple[int, int, int], dict[str, Any]]] = []
    for index, span in enumerate(spans):
        attrs = span.attributes or {}
        start = span.start_time or 0
        end = span.end_time or start
        parent = span.parent
        cost = attrs.get("llm.cost.total")
        kind = attrs.get("openinference.span.kind")
        d = depth(span)
        row = {
            "name": span.name,
            "kind": kind if isinstance(kind, str) else span.kind.name,
            "start_s": (start - VIRTUAL_EPOCH_NS) / 1e9,
            "end_s": (end - VIRTUAL_EPOCH_NS) / 1e9,
            "duration_s": (end - start) / 1e9,
            "model": attrs.get("gen_ai.request.model") or attrs.get("llm.model_name"),
            "input_tokens": _int_or_none(attrs.get("gen_ai.usage.input_tokens")),
            "output_tokens": _int_or_none(attrs.get("gen_ai.usage.output_tokens")),
            "cost_usd": float(cost) if isinstance(cost, int | float) else None,
            "status": span.status.status_code.name,
            "error": span.status.description or None,
            "parent": by_id[parent.span_id].name if parent and parent.span_id in by_id else None,
            "span_id": f"{span.context.span_id:016x}",
            "parent_id": f"{parent.span_id:016x}" if parent else None,
            "trace_id": f"{span.context.trace_id:032x}",
            "depth": d,
        }
        keyed.append(((start, d, index), row))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]
