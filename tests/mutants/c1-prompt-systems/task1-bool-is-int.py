# mutant: True passes as an int (bool is a subclass of int)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        return isinstance(value, int) and not isinstance(value, bool)
""",
        """\
        return isinstance(value, int)
""",
    ),
]
