# mutant: Jensen-Shannon distance in nats (scipy's default base) while the contract says bits
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return float(jensenshannon(ref / ref.sum(), cur / cur.sum(), base=2))
""",
        """\
    return float(jensenshannon(ref / ref.sum(), cur / cur.sum()))
""",
    ),
]
