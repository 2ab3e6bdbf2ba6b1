# mutant: the guard gets this agent's usage records only, not the run's calls so far
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
                    [*state["path"], name], result.handoff, [*state["calls"], *result.calls]
""",
        """\
                    [*state["path"], name], result.handoff, result.calls
""",
    ),
]
