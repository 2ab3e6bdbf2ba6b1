# mutant: uses index int(p/100*n) instead of rank ceil(p/100*n)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]
""",
        """\
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
