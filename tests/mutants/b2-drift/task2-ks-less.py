# mutant: a one-sided KS test
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    ks = stats.ks_2samp(reference, current)
""",
        """\
    ks = stats.ks_2samp(reference, current, alternative="less")
""",
    ),
]
