# mutant: dead-letters on the max_deliveries-th delivery instead of the one after
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if deliveries > max_deliveries:
""",
        """\
        if deliveries >= max_deliveries:
""",
    ),
]
