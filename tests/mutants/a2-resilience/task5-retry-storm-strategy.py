# mutant: a strategy with fallbacks but no breaker or budget and 5 attempts per route
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    budget = RetryBudget(ratio=0.1, min_per_second=0.05, window=30.0)
    return FallbackChain(
        routes, long_context=long_context, deadline=20.0, max_attempts=2, budget=budget
    )
""",
        """\
    routes = [Route(r.name, r.model) for r in routes]
    return FallbackChain(routes, long_context=long_context, deadline=20.0, max_attempts=5)
""",
    ),
]
