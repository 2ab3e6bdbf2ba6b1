# mutant: returns the first value found instead of the newest version
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return max(stored, key=lambda v: v.version).value if stored else None
""",
        """\
    return stored[0].value if stored else None
""",
    ),
]
