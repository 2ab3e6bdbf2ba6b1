# mutant: extracts into the current context: a message without a valid traceparent joins the consumer's trace
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return TraceContextTextMapPropagator().extract(carrier=dict(headers))
""",
        """\
    return TraceContextTextMapPropagator().extract(
        carrier=dict(headers), context=otel_context.get_current()
    )
""",
    ),
]
