# mutant: a tool call and its result are packed separately
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        key = ("group", group) if group is not None else ("item", index)
""",
        """\
        key = ("item", index)
""",
    ),
]
