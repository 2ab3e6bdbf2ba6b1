# mutant: a feature flagged on its raw p-value <= alpha (no false-alarm budget across features)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
            flagged = feature in bh["flagged"]
""",
        """\
            flagged = p <= alpha
""",
    ),
]
