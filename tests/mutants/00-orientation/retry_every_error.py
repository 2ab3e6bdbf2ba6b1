# mutant: retries every provider error (503, 500...), waiting 1 s when there is no retry_after
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        except RateLimitError as err:
            if attempt == max_attempts or err.retry_after is None:
                raise
            clock.sleep(err.retry_after)
        else:
            return reply, clock.now() - start
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
""",
        """\
        except ProviderError as err:
            if attempt == max_attempts:
                raise
            clock.sleep(getattr(err, "retry_after", None) or 1.0)
        else:
            return reply, clock.now() - start
""",
    ),
]
