"""Is a measured rate consistent with the documented one? (an exact binomial test, scipy)."""

from __future__ import annotations

from scipy.stats import binomtest


def binom_p(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial test p-value of ``k`` successes in ``n`` at rate ``p``."""
    if p <= 0 or p >= 1:  # a certain outcome: either it happened every time or it did not
        return 1.0 if k == round(n * p) else 0.0
    return float(binomtest(k, n, p).pvalue)


def assert_rate(k: int, n: int, p: float) -> None:
    assert binom_p(k, n, p) > 0.001, f"{k}/{n} = {k / n:.3f} is not consistent with {p}"
