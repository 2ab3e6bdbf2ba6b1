# mutant: a difference of exactly the tolerance counts as different
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        return abs(a - b) <= tolerance
""",
        """\
        return abs(a - b) < tolerance
""",
    ),
]
