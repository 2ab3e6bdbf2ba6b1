# mutant: specialists go to END instead of back to the supervisor
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        g.add_edge(route, "supervisor")
""",
        """\
        g.add_edge(route, END)
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
