# mutant: on a tie the property listed last wins
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if index is not None and (best is None or index < best[1]):
""",
        """\
        if index is not None and (best is None or index <= best[1]):
""",
    ),
]
