# mutant: the baseline is reported against itself as one more version
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    for version in sorted({r["version"] for r in rows} - {baseline}):
""",
        """\
    for version in sorted({r["version"] for r in rows}):
""",
    ),
]
