# mutant: fills the caller's dict instead of a copy
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    resolved = dict(args)
""",
        """\
    resolved = args
""",
    ),
]
