# mutant: the 3 tokens that prime the reply are not counted
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    tokens = 3 + sum(cost(m) for m in pinned)
""",
        """\
    tokens = sum(cost(m) for m in pinned)
""",
    ),
]
