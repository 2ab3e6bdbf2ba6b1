# mutant: specialists cannot hand back to triage
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    MESH_TRANSITIONS[_route] = [r for r in ROUTES if r != _route] + ["triage"]
""",
        """\
    MESH_TRANSITIONS[_route] = [r for r in ROUTES if r != _route]
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
