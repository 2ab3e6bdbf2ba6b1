"""Shared helpers for the behaviour tests: measured rates and the tests that judge them.

Every behaviour test measures a rate over many deterministic draws (scenario ids x seeds) and
judges it with an exact test from scipy, so a pass means "consistent with the documented value"
and a fail names the measured and documented figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace as NS

from scipy.stats import binomtest, fisher_exact, norm

#: A documented rate is rejected when the exact binomial test gives p below this.
ALPHA = 1e-3


@dataclass(frozen=True)
class Rate:
    """``hits`` of ``n`` draws, with the tests the behaviour checks use."""

    hits: int
    n: int

    @property
    def value(self) -> float:
        return self.hits / self.n

    def consistent_with(self, p: float) -> bool:
        """Is the documented probability ``p`` not rejected (two-sided exact test)?"""
        return binomtest(self.hits, self.n, p).pvalue > ALPHA

    def interval(self, level: float = 0.999) -> tuple[float, float]:
        ci = binomtest(self.hits, self.n).proportion_ci(confidence_level=level, method="exact")
        return ci.low, ci.high

    def differs_from(self, other: Rate) -> bool:
        """Do two measured rates differ (Fisher's exact test, p < ALPHA)?"""
        table = [[self.hits, self.n - self.hits], [other.hits, other.n - other.hits]]
        return fisher_exact(table).pvalue < ALPHA

    def __str__(self) -> str:
        low, high = self.interval()
        return f"{self.value:.4f} ({self.hits}/{self.n}, 99.9% CI {low:.4f}..{high:.4f})"


def measure(n: int, hit) -> Rate:  # noqa: ANN001 - hit(i) -> bool | None
    """The share of ``hit(i)`` for i < n; a None (the case does not apply) is left out."""
    hits = cases = 0
    for i in range(n):
        outcome = hit(i)
        if outcome is not None:
            cases += 1
            hits += bool(outcome)
    return Rate(hits, cases)


def sample_to_detect(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Cases per group a two-sided two-proportion z-test needs (normal approximation)."""
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    return math.ceil(z * z * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2)


def call(name: str, **args):  # noqa: ANN201
    return NS(name=name, args=args)


def scenario(sid: str = "t-1", **kw):  # noqa: ANN201
    """A support-desk scenario as plain data (the oracle reads attributes)."""
    base = dict(
        id=sid,
        customer_id="C0001",
        message=f"Where is my order O1001? ({sid})",
        route="shipping",
        intent="order_status",
        expected_tool_calls=[
            call("lookup_order", order_id="O1001"),
            call("track_shipment", tracking_number="1Z999"),
        ],
        answer_facts=["1Z999", "2026-03-02"],
        ambiguous=False,
        clarifying_question=None,
        injection=None,
    )
    base.update(kw)
    return NS(**base)


def finder(*scenarios):  # noqa: ANN201
    by_text = {s.message.casefold(): s for s in scenarios}
    return lambda text: by_text.get(" ".join(text.split()).casefold())
