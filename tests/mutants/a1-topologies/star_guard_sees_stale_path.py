# mutant: asks the guard with the state's path and calls, without this turn
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
            reason = guard([*state["path"], "supervisor"], choice, [*state["calls"], call])
""",
        """\
            reason = guard(state["path"] or ["supervisor"], choice, state["calls"])
""",
    ),
    (
        """\
    return g.compile()
""",
        """\
    return g.compile()
    ### END SOLUTION
""",
    ),
]
