# mutant: a strategy with a breaker but no second profile: degraded answers all through the outage
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        Route(
            "secondary",
            SimChatModel(profile="sim-small@2026-11", fault_plan=plan),
            breaker("secondary"),
        ),
""",
        """\
""",
    ),
]
