# mutant: z = 1.96 whatever the confidence asked for
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
""",
        """\
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
""",
    ),
]
