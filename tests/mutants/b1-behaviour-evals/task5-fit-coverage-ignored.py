# mutant: judge_fit ignores coverage (only kappa against its bar decides)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if coverage == 0:
        reason = "no coverage"
    elif coverage < min_coverage:
        reason = "low coverage"
    elif undefined:
""",
        """\
    if undefined:
""",
    ),
]
