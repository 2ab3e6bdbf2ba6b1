# mutant: the team_failure reason carries the error's message instead of its class name
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                reason = f"team_failure: {team}: {type(exc).__name__}"
""",
        """\
                reason = f"team_failure: {team}: {exc}"
""",
    ),
]
