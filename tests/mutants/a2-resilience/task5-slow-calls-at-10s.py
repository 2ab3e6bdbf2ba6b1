# mutant: a slow-call limit of 10 s, above the brownout's added latency: p95 about a minute
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            slow_call_duration=4.0,
""",
        """\
            slow_call_duration=10.0,
""",
    ),
]
