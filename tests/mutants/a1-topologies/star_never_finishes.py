# mutant: the supervisor's router has no FINISH option, so it never ends the run
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        choice, call = ask_router(model, state["messages"], [*ROUTES, "FINISH"], node="supervisor")
""",
        """\
        choice, call = ask_router(model, state["messages"], list(ROUTES), node="supervisor")
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
