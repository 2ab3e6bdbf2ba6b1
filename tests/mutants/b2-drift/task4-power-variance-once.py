# mutant: uses only the reference rate's variance, twice
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    n = z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2
""",
        """\
    n = z**2 * 2 * p1 * (1 - p1) / (p1 - p2) ** 2
""",
    ),
]
