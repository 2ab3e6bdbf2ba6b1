# mutant: computes base * 2**attempt before capping: OverflowError past about 1024 retries
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    ceiling = cap if attempt >= 64 else min(cap, base * 2**attempt)
""",
        """\
    ceiling = min(cap, base * 2**attempt)
""",
    ),
]
