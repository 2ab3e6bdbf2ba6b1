# mutant: a p-value exactly on its BH line is not flagged
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    k = max((rank for rank, p in enumerate(ordered, start=1) if p <= rank * alpha / m), default=0)
""",
        """\
    k = max((rank for rank, p in enumerate(ordered, start=1) if p < rank * alpha / m), default=0)
""",
    ),
]
