# mutant: a minor bump keeps the patch number
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
                "minor": f"{major}.{minor + 1}.0",
""",
        """\
                "minor": f"{major}.{minor + 1}.{patch}",
""",
    ),
]
