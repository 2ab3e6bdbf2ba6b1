# mutant: a strategy with fallbacks but no breaker or budget and 5 attempts per route
# replaces: task5-solution
# loses: task5
def summarize_drill(records) -> dict:
    """Requests, served rate, amplification, cost and nearest-rank p95 latency of one drill."""
    if not records:
        raise ValueError("summarize_drill needs at least one request record")
    n = len(records)
    served = sum(1 for r in records if r["served_by"] not in ("degraded", "failed"))
    calls = sum(1 for r in records for a in r["attempts"] if a["outcome"] != "not_permitted")
    latencies = sorted(r["latency"] for r in records)
    return {
        "requests": n,
        "served_rate": served / n,
        "amplification": calls / n,
        "cost_usd": sum(r["cost_usd"] for r in records),
        "p95_latency": latencies[math.ceil(0.95 * n) - 1],
    }


def resilient_strategy(plan):
    """Your FallbackChain for one drill: models on ``plan``, breakers, budget, deadline."""
    client_errors = (ContextLengthExceededError, BadRequestError)

    def breaker(name):
        return CircuitBreaker(
            window_size=10,
            minimum_calls=5,
            failure_rate_threshold=50.0,
            slow_call_rate_threshold=50.0,
            slow_call_duration=4.0,
            wait_duration_in_open=30.0,
            permitted_calls_in_half_open=2,
            ignore_exceptions=client_errors,
            name=name,
        )

    routes = [
        Route(
            "primary",
            SimChatModel(profile="sim-large@2026-11", fault_plan=plan),
            breaker("primary"),
        ),
        Route(
            "secondary",
            SimChatModel(profile="sim-small@2026-11", fault_plan=plan),
            breaker("secondary"),
        ),
    ]
    long_context = Route(
        "long_context", SimChatModel(profile="sim-large-long@2026-11", fault_plan=plan)
    )
    routes = [Route(r.name, r.model) for r in routes]
    return FallbackChain(routes, long_context=long_context, deadline=20.0, max_attempts=5)
