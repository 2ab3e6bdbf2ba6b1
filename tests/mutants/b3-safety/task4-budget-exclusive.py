# mutant: requires the false-positive rate strictly below the budget
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        if fpr <= max_fpr:
""",
        """\
        if fpr < max_fpr:
""",
    ),
]
