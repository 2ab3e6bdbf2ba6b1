# mutant: a PSI of exactly 0.25 is still "moderate"
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    if value < 0.25:
""",
        """\
    if value <= 0.25:
""",
    ),
]
