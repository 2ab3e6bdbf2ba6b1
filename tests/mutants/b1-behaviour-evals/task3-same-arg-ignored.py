# mutant: same_arg accepted but never checked (a lookup of another order is enough)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if same_arg is None:
            return True
""",
        """\
        if True:
            return True
""",
    ),
]
