# mutant: tests retry_after for truth, so retry_after=0 ("retry now") is taken for "give up"
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            if attempt == max_attempts or err.retry_after is None:
""",
        """\
            if attempt == max_attempts or not err.retry_after:
""",
    ),
]
