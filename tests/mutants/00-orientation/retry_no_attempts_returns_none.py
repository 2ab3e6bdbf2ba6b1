# mutant: with max_attempts=0 the loop never runs and the function returns None, no ValueError
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
""",
        """\
    return None
""",
    ),
]
