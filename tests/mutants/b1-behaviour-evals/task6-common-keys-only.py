# mutant: runs missing on one side are dropped silently instead of refused
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    if not before or set(before) != set(after):
        raise ValueError("before and after must hold the same, non-empty set of runs")
    keys = sorted(before)
""",
        """\
    keys = sorted(set(before) & set(after))
    if not keys:
        raise ValueError("no common runs")
""",
    ),
]
