# mutant: expires at the deadline itself instead of after it
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if now > expires_at:
""",
        """\
        if now >= expires_at:
""",
    ),
]
