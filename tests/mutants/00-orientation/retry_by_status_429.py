# mutant: treats every 429 as a rate limit (a QuotaExceededError has no retry_after: it crashes)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        except RateLimitError as err:
            if attempt == max_attempts or err.retry_after is None:
""",
        """\
        except ProviderError as err:
            if err.status_code != 429:
                raise
            if attempt == max_attempts or err.retry_after is None:
""",
    ),
]
