# mutant: a strategy with a breaker but no second profile: degraded answers all through the outage
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        Route("secondary", get_model("sim-small@2026-11"), breaker("secondary")),
""",
        """\
""",
    ),
]
