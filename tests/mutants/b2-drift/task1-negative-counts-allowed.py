# mutant: only checks that the totals are positive, not the counts
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        if any(count < 0 for count in table.values()):
            raise ValueError("counts must be >= 0")
""",
        "",
    ),
]
