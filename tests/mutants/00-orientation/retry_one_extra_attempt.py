# mutant: off by one: max_attempts *retries* after the first call (max_attempts + 1 calls)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    for attempt in range(1, max_attempts + 1):
""",
        """\
    attempt = 0
    while True:
""",
    ),
    (
        """\
            if attempt == max_attempts or err.retry_after is None:
""",
        """\
            attempt += 1
            if attempt > max_attempts or err.retry_after is None:
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
