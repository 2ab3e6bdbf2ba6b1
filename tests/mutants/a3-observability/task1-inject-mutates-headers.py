# mutant: writes traceparent into the caller's headers instead of a copy
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    carrier = dict(headers)
    TraceContextTextMapPropagator().inject(carrier)
""",
        """\
    carrier = headers
    TraceContextTextMapPropagator().inject(carrier)
""",
    ),
]
