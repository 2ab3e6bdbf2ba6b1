# mutant: a low end exactly at -max_drop already counts as a regression
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if effect["low"] < -max_drop:
""",
        """\
    if effect["low"] <= -max_drop:
""",
    ),
]
