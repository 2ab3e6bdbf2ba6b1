# mutant: starts the agent span without making it current: model and tool spans lose their parent
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    with tracer.start_as_current_span(
        f"invoke_agent {agent}", kind=SpanKind.INTERNAL, attributes=attributes
    ) as span:
        yield span
""",
        """\
    span = tracer.start_span(f"invoke_agent {agent}", kind=SpanKind.INTERNAL, attributes=attributes)
    try:
        yield span
    finally:
        span.end()
""",
    ),
]
