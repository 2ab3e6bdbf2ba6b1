# mutant: interpolates the 95th percentile (statistics.quantiles) instead of nearest-rank
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        "p95_latency": float(latencies[rank - 1]),
""",
        """\
        "p95_latency": (
            float(__import__("statistics").quantiles(latencies, n=100, method="inclusive")[94])
            if n > 1
            else float(latencies[0])
        ),
""",
    ),
]
