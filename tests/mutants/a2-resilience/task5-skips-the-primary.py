# mutant: a strategy that never calls sim-large: cheap and unaffected by its incidents, but not the system asked for
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        Route("primary", get_model("sim-large@2026-11"), breaker("primary")),
""",
        """\
""",
    ),
]
