# mutant: a topology with a 0 % success rate is never a candidate (truthiness)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        if row["p95_latency_s"] <= max_p95_latency_s and row["mean_cost_usd"] <= max_mean_cost_usd
""",
        """\
        if row["success_rate"]
        and row["p95_latency_s"] <= max_p95_latency_s
        and row["mean_cost_usd"] <= max_mean_cost_usd
""",
    ),
]
