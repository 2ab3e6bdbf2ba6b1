# mutant: checks the latency limit against p50 instead of p95
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        if row["p95_latency_s"] <= max_p95_latency_s and row["mean_cost_usd"] <= max_mean_cost_usd
""",
        """\
        if row["p50_latency_s"] <= max_p95_latency_s and row["mean_cost_usd"] <= max_mean_cost_usd
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
