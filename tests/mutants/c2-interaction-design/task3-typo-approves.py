# mutant: anything that is not a reject approves
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        elif kind in ("approve", "edit"):
""",
        """\
        elif kind != "reject":
""",
    ),
]
