# mutant: builds the mesh without ever asking the guard
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
            if guard is not None:
""",
        """\
            if False:
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
