# mutant: draws the two samples alternately instead of all reference draws first
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        x1 = sum(rng.random() < p1 for _ in range(n))
        x2 = sum(rng.random() < p2 for _ in range(n))
""",
        """\
        x1 = x2 = 0
        for _ in range(n):
            x1 += rng.random() < p1
            x2 += rng.random() < p2
""",
    ),
]
