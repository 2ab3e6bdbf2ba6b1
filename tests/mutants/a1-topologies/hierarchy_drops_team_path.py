# mutant: the team node reports only its own name in the path
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            update = {
                "messages": out["messages"][before:],
                "path": out["path"],
                "calls": out["calls"],
            }
""",
        """\
            update = {"messages": out["messages"][before:], "path": [team], "calls": out["calls"]}
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
