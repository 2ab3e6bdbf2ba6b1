# mutant: waits a fixed 1 s after a 429 instead of the retry_after the provider asked for
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            clock.sleep(err.retry_after)
        else:
            return reply, clock.now() - start
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
""",
        """\
            clock.sleep(1.0)
        else:
            return reply, clock.now() - start
""",
    ),
]
