# mutant: sleeps a pause that ends exactly at the deadline, then has nothing left
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                    if clock.now() + pause >= end:
""",
        """\
                    if clock.now() + pause > end:
""",
    ),
]
