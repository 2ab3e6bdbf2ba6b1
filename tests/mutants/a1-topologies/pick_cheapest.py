# mutant: picks the cheapest topology within the limits, ignoring success
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return min(fits, key=lambda nr: (-nr[1]["success_rate"], nr[1]["mean_cost_usd"], nr[0]))[0]
""",
        """\
    return min(fits, key=lambda nr: (nr[1]["mean_cost_usd"], nr[0]))[0]
    ### END SOLUTION
""",
    ),
]
