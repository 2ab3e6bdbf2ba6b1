# mutant: compares pass counts instead of discordant pairs (regressions = drop in passes)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    regressions = sum(1 for x, y in zip(before, after, strict=True) if x and not y)
    fixes = sum(1 for x, y in zip(before, after, strict=True) if y and not x)
""",
        """\
    drop = sum(before) - sum(after)
    regressions, fixes = max(drop, 0), max(-drop, 0)
""",
    ),
]
