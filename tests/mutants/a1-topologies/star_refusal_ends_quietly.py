# mutant: a guard's refusal ends the run as done instead of escalating
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
                return Command(goto=ESCALATE, update={**update, "reason": reason})
""",
        """\
                return Command(goto=END, update={**update, "status": "done"})
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
