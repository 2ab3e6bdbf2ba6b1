# mutant: a two-sided test (an improvement can block a release, and the p-value doubles)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        p_value = float(stats.binomtest(regressions, discordant, 0.5, alternative="greater").pvalue)
""",
        """\
        p_value = float(stats.binomtest(regressions, discordant, 0.5).pvalue)
""",
    ),
]
