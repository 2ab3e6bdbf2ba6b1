# mutant: opens at greater-than instead of greater-or-equal
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if (
            failure_rate >= self.failure_rate_threshold
            or slow_rate >= self.slow_call_rate_threshold
        ):
""",
        """\
        if failure_rate > self.failure_rate_threshold or slow_rate > self.slow_call_rate_threshold:
""",
    ),
]
