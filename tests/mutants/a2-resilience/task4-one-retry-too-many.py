# mutant: makes max_attempts retries, i.e. one call too many per route
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                    if not self.retryable(err) or calls >= self.max_attempts:
""",
        """\
                    if not self.retryable(err) or calls > self.max_attempts:
""",
    ),
]
