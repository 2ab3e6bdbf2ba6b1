# mutant: treats every 429 as a rate limit, so an exhausted quota is retried
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        return err.code != "insufficient_quota"  # a quota does not refill by waiting
""",
        """\
        return True
""",
    ),
]
