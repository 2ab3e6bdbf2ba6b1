# mutant: specialists cannot hand back to triage
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        table[route] = [r for r in ROUTES if r != route] + ["triage"]
""",
        """\
        table[route] = [r for r in ROUTES if r != route]
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
