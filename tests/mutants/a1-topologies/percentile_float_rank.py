# mutant: the rank computed in floating point, ceil(p / 100 * n), which rounds up for p = 7 of 100
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    n = len(values)
    if isinstance(p, int):
        rank = -(-p * n // 100)  # ceil(p * n / 100) in integers
    else:
        rank = math.ceil(Fraction(p) * n / 100)  # a float's exact value: no rounding
""",
        """\
    n = len(values)
    rank = math.ceil(p / 100 * n)
""",
    ),
]
