# mutant: a must-pass case counts only when the baseline got it right
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    reasons = [f"must_pass:{case}" for case in sorted(must_pass) if not candidate[case]]
""",
        """\
    reasons = [
        f"must_pass:{case}" for case in sorted(must_pass) if baseline[case] and not candidate[case]
    ]
""",
    ),
]
