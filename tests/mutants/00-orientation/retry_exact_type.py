# mutant: retries only errors whose type is exactly RateLimitError, not its subclasses
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
            if type(err) is not RateLimitError:
                raise
            if attempt == max_attempts or err.retry_after is None:
""",
    ),
]
