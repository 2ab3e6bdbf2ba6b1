"""A private tracer and meter for one experiment, read back as plain data.

Introduced in lab ``a3-observability``. :func:`infralab.tracing.setup_tracing` traces the whole
process (LangChain auto-instrumentation, export to Phoenix); :class:`Telemetry` is the small,
separate kit a lab or a grade cell uses to look at the spans and metrics that *its own* code
writes, with nothing added: no auto-instrumentation, no attributes filled in.

- spans are stamped from :func:`infralab.clock.current_clock` (virtual seconds, the same
  timeline on every run) and have deterministic ids (a rerun gives the same ids);
- metrics go to the OpenTelemetry SDK's ``InMemoryMetricReader``;
- :meth:`Telemetry.spans` and :meth:`Telemetry.metrics` return plain dicts (JSON data).

Example:
    >>> from infralab.observability import Telemetry
    >>> tel = Telemetry()
    >>> with tel.tracer.start_as_current_span("invoke_agent triage"):
    ...     pass
    >>> [s["name"] for s in tel.spans()]
    ['invoke_agent triage']
"""

from infralab.observability._telemetry import Telemetry, metric_points, span_dicts

__all__ = ["Telemetry", "metric_points", "span_dicts"]
