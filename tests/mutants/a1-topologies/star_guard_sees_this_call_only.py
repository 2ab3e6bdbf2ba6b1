# mutant: the guard gets this turn's usage record only, not the calls so far
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
            reason = guard([*state["path"], "supervisor"], choice, [*state["calls"], call])
""",
        """\
            reason = guard([*state["path"], "supervisor"], choice, [call])
""",
    ),
]
