# mutant: pointing a label at its current version again adds a history step
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if history and history[-1] == version:
            return
""",
        """\
""",
    ),
]
