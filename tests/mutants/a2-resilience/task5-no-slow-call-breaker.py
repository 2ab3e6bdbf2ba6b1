# mutant: breakers that only watch failures: in the brownout requests wait for slow calls (p95 about 19 s)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            slow_call_rate_threshold=50.0,
""",
        """\
            slow_call_rate_threshold=100.0,
""",
    ),
]
