# mutant: the interval treats the two versions as independent samples
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    s = statistics.stdev(diffs) if n > 1 else 0.0
    h = z * s / math.sqrt(n)
""",
        """\
    p1 = sum(map(int, baseline.values())) / n
    p2 = sum(map(int, candidate.values())) / n
    h = z * math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
""",
    ),
]
