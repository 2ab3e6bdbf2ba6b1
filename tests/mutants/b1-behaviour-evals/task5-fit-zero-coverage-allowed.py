# mutant: zero coverage is not special (with min_coverage=0, a judge that decides nothing passes)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if coverage == 0:
        reason = "no coverage"
    elif coverage < min_coverage:
""",
        """\
    if coverage < min_coverage:
""",
    ),
]
