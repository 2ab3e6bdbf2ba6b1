# mutant: a failed team goes back to the director, which sends it again
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                return Command(goto=ESCALATE, update={"reason": reason})
""",
        """\
                return Command(goto="director", update={"reason": reason})
""",
    ),
    (
        """\
    g.add_edge(ESCALATE, END)
    return g.compile()
""",
        """\
    g.add_edge(ESCALATE, END)
    return g.compile()
    ### END SOLUTION
""",
    ),
]
