# mutant: the textbook normal (Wald) interval instead of Wilson's
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))
""",
        """\
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = successes / n
    half = z * math.sqrt(p * (1 - p) / n)
    return (max(0.0, p - half), min(1.0, p + half))
""",
    ),
]
