# mutant: reports 0.0 turns when nothing was resolved
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
if resolved else None
""",
        """\
if resolved else 0.0
""",
    ),
]
