# mutant: asks the guard without this agent's turn
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
                reason = guard(
                    [*state["path"], name], result.handoff, [*state["calls"], *result.calls]
                )
""",
        """\
                reason = guard(state["path"] or [name], result.handoff, state["calls"])
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
