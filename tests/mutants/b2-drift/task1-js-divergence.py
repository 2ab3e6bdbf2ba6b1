# mutant: reports the JS divergence (the square of the distance) instead of the distance
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return float(jensenshannon(ref / ref.sum(), cur / cur.sum(), base=2))
""",
        """\
    return float(jensenshannon(ref / ref.sum(), cur / cur.sum(), base=2) ** 2)
""",
    ),
]
