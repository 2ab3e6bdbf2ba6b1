# mutant: unexpected variables are silently ignored
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if missing or unexpected:
""",
        """\
    if missing:
""",
    ),
]
