# mutant: booleans compared as numbers (True is the same as 1)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return isinstance(x, int | float) and not isinstance(x, bool)
""",
        """\
    return isinstance(x, int | float)
""",
    ),
]
