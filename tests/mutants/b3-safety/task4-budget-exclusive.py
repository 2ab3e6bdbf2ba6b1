# mutant: requires the false-positive rate strictly below the budget
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        if rates["fpr"] <= max_fpr:
""",
        """\
        if rates["fpr"] < max_fpr:
""",
    ),
]
