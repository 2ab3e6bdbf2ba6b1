# mutant: asks once more than the budget allows
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    if not missing or asked >= max_questions:
""",
        """\
    if not missing or asked > max_questions:
""",
    ),
]
