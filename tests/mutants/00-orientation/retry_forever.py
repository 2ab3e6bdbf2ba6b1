# mutant: retries every 429 until it succeeds, ignoring max_attempts
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    for attempt in range(1, max_attempts + 1):
""",
        """\
    while True:
""",
    ),
    (
        """\
            if attempt == max_attempts or err.retry_after is None:
""",
        """\
            if err.retry_after is None:
""",
    ),
    (
        """\
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
""",
        """\
""",
    ),
]
