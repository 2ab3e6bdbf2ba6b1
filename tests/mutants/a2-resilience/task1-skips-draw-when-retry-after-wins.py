# mutant: returns retry_after before drawing, so a shared rng drifts out of step
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    ceiling = cap if attempt >= 64 else min(cap, base * 2**attempt)
""",
        """\
    ceiling = cap if attempt >= 64 else min(cap, base * 2**attempt)
    if retry_after is not None and retry_after > ceiling:
        return float(retry_after)
""",
    ),
]
