# mutant: an empty string counts as a given value
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        given = value is not None and not (isinstance(value, str) and not value.strip())
""",
        """\
        given = value is not None
""",
    ),
]
