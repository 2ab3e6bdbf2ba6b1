# mutant: an agent that answers ends the run without status='done'
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
                return Command(goto=END, update={**update, "status": "done"})
""",
        """\
                return Command(goto=END, update=update)
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
