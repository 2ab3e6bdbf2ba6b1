# mutant: measures elapsed with time.monotonic() (real time) instead of the current clock
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
def call_with_retry_after(model, messages, max_attempts=3):
""",
        """\
import time


def call_with_retry_after(model, messages, max_attempts=3):
""",
    ),
    (
        """\
    start = clock.now()
""",
        """\
    start = time.monotonic()
""",
    ),
    (
        """\
            return reply, clock.now() - start
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
""",
        """\
            return reply, time.monotonic() - start
""",
    ),
]
