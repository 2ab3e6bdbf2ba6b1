# mutant: when the attempts run out it raises a new RateLimitError instead of the provider's own
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            if attempt == max_attempts or err.retry_after is None:
                raise
""",
        """\
            if attempt == max_attempts:
                raise RateLimitError(f"still rate-limited after {max_attempts} attempts")
            if err.retry_after is None:
                raise
""",
    ),
]
