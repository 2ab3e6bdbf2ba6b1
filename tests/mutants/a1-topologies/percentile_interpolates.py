# mutant: percentiles interpolate linearly (numpy's default), not nearest rank
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]
""",
        """\
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
