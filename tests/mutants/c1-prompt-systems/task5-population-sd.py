# mutant: the standard deviation divides by n instead of n - 1
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    s = statistics.stdev(diffs) if n > 1 else 0.0
""",
        """\
    s = statistics.pstdev(diffs)
""",
    ),
]
