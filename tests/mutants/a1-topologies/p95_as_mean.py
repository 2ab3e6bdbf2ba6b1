# mutant: the p95 of hops and latency is the mean
# replaces: task5-solution
# loses: task5
import math


def percentile(values, p):
    """Nearest-rank percentile: the value at 1-based rank ceil(p/100 * n) of the sorted values."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 < p <= 100:
        raise ValueError(f"p must be in (0, 100], got {p!r}")
    ordered = sorted(values)
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


def summarize_runs(records):
    """Per topology: success rate, hops, tokens, cost and latency percentiles."""
    groups = {}
    for r in records:
        groups.setdefault(r["topology"], []).append(r)
    table = {}
    for name, runs in groups.items():
        n = len(runs)
        hops = [r["hops"] for r in runs]
        latency = [r["latency_s"] for r in runs]
        table[name] = {
            "runs": n,
            "success_rate": sum(1 for r in runs if r["success"]) / n,
            "mean_hops": sum(hops) / n,
            "p95_hops": sum(hops) / n,
            "mean_input_tokens": sum(r["input_tokens"] for r in runs) / n,
            "mean_output_tokens": sum(r["output_tokens"] for r in runs) / n,
            "mean_cost_usd": sum(r["cost_usd"] for r in runs) / n,
            "total_cost_usd": sum(r["cost_usd"] for r in runs),
            "p50_latency_s": percentile(latency, 50),
            "p95_latency_s": sum(latency) / n,
        }
    return table


def pick_topology(table, *, max_p95_latency_s, max_mean_cost_usd):
    """The most successful topology within the latency and cost limits, or None."""
    fits = [
        (name, row)
        for name, row in table.items()
        if row["p95_latency_s"] <= max_p95_latency_s and row["mean_cost_usd"] <= max_mean_cost_usd
    ]
    if not fits:
        return None
    return min(fits, key=lambda nr: (-nr[1]["success_rate"], nr[1]["mean_cost_usd"], nr[0]))[0]
    ### END SOLUTION
