# mutant: ignores retry_after, so a 429 is retried before the provider allows it
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if retry_after is not None and retry_after > delay:
        return float(retry_after)
""",
        """\
""",
    ),
]
