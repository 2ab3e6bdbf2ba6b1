# mutant: makes max_attempts + 1 attempts
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    for _ in range(max_attempts):
""",
        """\
    for _ in range(max_attempts + 1):
""",
    ),
]
