# mutant: when retry_after is None it waits a default 30 s and tries again
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
def call_with_retry_after(model, messages, max_attempts=3):
""",
        """\
# (that 429 said no wait can help: the call is larger than the whole TPM limit)
def call_with_retry_after(model, messages, max_attempts=3):
""",
    ),
    (
        """\
            if attempt == max_attempts or err.retry_after is None:
                raise
            clock.sleep(err.retry_after)
        else:
            return reply, clock.now() - start
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
""",
        """\
            if attempt == max_attempts:
                raise
            clock.sleep(err.retry_after if err.retry_after is not None else 30.0)
        else:
            return reply, clock.now() - start
""",
    ),
]
