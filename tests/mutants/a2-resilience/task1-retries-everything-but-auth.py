# mutant: retries every provider error except a bad API key (context length, quota, 404 too)
# replaces: task1-solution
# loses: task1
def is_retryable(err: BaseException) -> bool:
    """True when calling again, unchanged, may succeed."""
    return isinstance(err, ProviderError) and err.status_code != 401


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
    if retry_after is not None and retry_after > delay:
        return float(retry_after)
    return delay
