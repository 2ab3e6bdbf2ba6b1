# mutant: compiles the graph without the checkpointer
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    return graph.compile(checkpointer=checkpointer)
""",
        """\
    return graph.compile()
""",
    ),
]
