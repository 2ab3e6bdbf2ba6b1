# mutant: ignores retry_after, so a 429 is retried before the provider allows it
# replaces: task1-solution
# loses: task1
def is_retryable(err: BaseException) -> bool:
    """True when calling again, unchanged, may succeed."""
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


def backoff_delay(
    attempt: int,
    *,
    base: float = 0.5,
    cap: float = 30.0,
    rng: random.Random,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    # 2 ** attempt overflows a float past about 1024; by then the cap has long won.
    ceiling = cap if attempt >= 64 else min(cap, base * 2**attempt)
    delay = rng.random() * ceiling
    return delay
