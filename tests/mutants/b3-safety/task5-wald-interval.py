# mutant: a normal-approximation (Wald) interval instead of Wilson's
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        return {"rate": k / n, "low": float(ci.low), "high": float(ci.high), "n": n}
""",
        """\
        p = k / n
        z = stats.norm.ppf(0.5 + confidence / 2)
        half = z * math.sqrt(p * (1 - p) / n)
        return {"rate": p, "low": max(0.0, p - half), "high": min(1.0, p + half), "n": n}
""",
    ),
]
