# mutant: percentiles interpolate linearly (numpy's default), not nearest rank
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
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
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
