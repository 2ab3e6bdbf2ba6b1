# mutant: a strategy that never calls sim-large: cheap and unaffected by its incidents, but not the system asked for
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            "primary",
            SimChatModel(profile="sim-large@2026-11", fault_plan=plan),
            breaker("primary"),
        ),
        Route(
""",
        """\
""",
    ),
]
