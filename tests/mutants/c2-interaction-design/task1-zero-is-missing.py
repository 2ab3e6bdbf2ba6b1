# mutant: a falsy value such as 0 counts as missing
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        absent = value is None or (isinstance(value, str) and not value.strip())
""",
        """\
        absent = not value or (isinstance(value, str) and not value.strip())
""",
    ),
]
