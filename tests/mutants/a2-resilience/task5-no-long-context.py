# mutant: a strategy without the long-context route: the two tickets with the huge log are degraded
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        routes, long_context=long_context, deadline=20.0, max_attempts=2, budget=budget
""",
        """\
        routes, deadline=20.0, max_attempts=2, budget=budget
""",
    ),
]
