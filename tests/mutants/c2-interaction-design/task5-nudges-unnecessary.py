# mutant: counts the user's nudges as unnecessary questions
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
e["kind"] in ("already_said", "unknown")
""",
        """\
e["kind"] in ("already_said", "unknown", "nudge")
""",
    ),
]
