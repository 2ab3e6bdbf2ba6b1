# mutant: keeps categories with 0 on both sides only when there are at least two others
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    seen = (ref + cur) > 0
    if seen.sum() < 2:
""",
        """\
    seen = (ref + cur) >= 0
    if ((ref + cur) > 0).sum() < 2:
""",
    ),
]
