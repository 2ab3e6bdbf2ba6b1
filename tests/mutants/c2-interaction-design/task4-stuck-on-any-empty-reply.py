# mutant: stuck as soon as one of the last replies gives no detail
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    if len(replies) >= max_stuck and not any(extract_slots(t) for t in replies[-max_stuck:]):
""",
        """\
    if len(replies) >= max_stuck and not all(extract_slots(t) for t in replies[-max_stuck:]):
""",
    ),
]
