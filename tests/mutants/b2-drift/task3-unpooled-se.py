# mutant: the unpooled (Wald) standard error in the z-test
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
""",
        """\
    q1, q2 = x1 / n1, x2 / n2
    se = math.sqrt(q1 * (1 - q1) / n1 + q2 * (1 - q2) / n2) or 1.0
""",
    ),
]
