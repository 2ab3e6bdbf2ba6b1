# mutant: BH stops at the first p-value above its line (step-down) instead of step-up
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    k = max((rank for rank, p in enumerate(ordered, start=1) if p <= rank * alpha / m), default=0)
""",
        """\
    k = 0
    for rank, p in enumerate(ordered, start=1):
        if p > rank * alpha / m:
            break
        k = rank
""",
    ),
]
