# mutant: judge_fit validates its arguments with "outside the range" tests, so a NaN bar or coverage passes
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if not (0 <= coverage <= 1 and 0 <= min_coverage <= 1):
""",
        """\
    if coverage < 0 or coverage > 1 or min_coverage < 0 or min_coverage > 1:
""",
    ),
]
