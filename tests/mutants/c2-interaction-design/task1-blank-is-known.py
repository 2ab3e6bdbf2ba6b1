# mutant: a blank string counts as a known value
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        absent = value is None or (isinstance(value, str) and not value.strip())
""",
        """\
        absent = value is None
""",
    ),
]
