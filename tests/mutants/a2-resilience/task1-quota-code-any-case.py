# mutant: compares the 429 code case-insensitively, so "Insufficient_Quota" counts as an exhausted quota
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        return err.code != "insufficient_quota"  # a quota does not refill by waiting
""",
        """\
        return err.code.lower() != "insufficient_quota"  # a quota does not refill by waiting
""",
    ),
]
