# mutant: reads the prices as per thousand tokens instead of per million
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    ) / 1_000_000
""",
        """\
    ) / 1_000
""",
    ),
]
