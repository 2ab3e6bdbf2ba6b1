# mutant: z of 1 - alpha (a one-sided test) in the sample size
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
""",
        """\
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(power)
""",
    ),
]
