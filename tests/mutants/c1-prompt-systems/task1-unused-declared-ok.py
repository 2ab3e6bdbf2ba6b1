# mutant: a declared variable the template never uses is accepted
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if used != set(schema):
""",
        """\
    if used - set(schema):
""",
    ),
]
