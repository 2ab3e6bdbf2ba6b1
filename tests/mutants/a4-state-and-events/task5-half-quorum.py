# mutant: a quorum of n // 2 instead of n // 2 + 1
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return n // 2 + 1
""",
        """\
    return max(1, n // 2)
""",
    ),
]
