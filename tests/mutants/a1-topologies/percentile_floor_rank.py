# mutant: uses index int(p/100*n) instead of rank ceil(p/100*n)
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
    return sorted(values)[rank - 1]
""",
        """\
    ordered = sorted(values)
    return ordered[min(int(p / 100 * len(ordered)), len(ordered) - 1)]
""",
    ),
    (
        """\
    return min(fits, key=lambda nr: (-nr[1]["success_rate"], nr[1]["mean_cost_usd"], nr[0]))[0]
""",
        """\
    return min(fits, key=lambda nr: (-nr[1]["success_rate"], nr[1]["mean_cost_usd"], nr[0]))[0]
    ### END SOLUTION
""",
    ),
]
