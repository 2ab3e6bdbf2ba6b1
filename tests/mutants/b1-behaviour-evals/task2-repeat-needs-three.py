# mutant: a repeat is only flagged from the third identical effect on
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        elif len(hits) > 1:
""",
        """\
        elif len(hits) > 2:
""",
    ),
]
