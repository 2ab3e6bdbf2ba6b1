# mutant: retries every provider error except a bad API key (context length, quota, 404 too)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if not isinstance(err, ProviderError):
        return False  # our own bugs and the breaker's refusals are not the provider's weather
    if isinstance(err, APITimeoutError):
        return True
    status = err.status_code
    if status is None:
        return False
    if status == 429:
        return err.code != "insufficient_quota"  # a quota does not refill by waiting
    return status in (408, 409) or status >= 500
""",
        """\
    return isinstance(err, ProviderError) and err.status_code != 401
""",
    ),
]
