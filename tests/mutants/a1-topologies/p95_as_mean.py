# mutant: the p95 of hops and latency is the mean
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            "p95_hops": percentile(hops, 95),
""",
        """\
            "p95_hops": sum(hops) / n,
""",
    ),
    (
        """\
            "p95_latency_s": percentile(latency, 95),
""",
        """\
            "p95_latency_s": sum(latency) / n,
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
