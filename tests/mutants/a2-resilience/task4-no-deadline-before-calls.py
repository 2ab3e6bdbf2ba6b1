# mutant: checks the deadline only for pauses, so calls still start after it
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                if clock.now() >= end:
                    return degraded()
""",
        """\
""",
    ),
]
