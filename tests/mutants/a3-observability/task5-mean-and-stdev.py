# mutant: an ordinary z-score (mean and standard deviation) instead of the median and the MAD
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        median = statistics.median(past)
        mad = statistics.median(abs(x - median) for x in past)
""",
        """\
        median = statistics.fmean(past)
        mad = statistics.pstdev(past)
""",
    ),
]
