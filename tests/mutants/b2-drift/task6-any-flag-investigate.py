# mutant: every flagged feature is "investigate" (whether an eval grades it or not)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
            elif feature in GRADED_BEHAVIOURS:
""",
        """\
            elif True:
""",
    ),
]
