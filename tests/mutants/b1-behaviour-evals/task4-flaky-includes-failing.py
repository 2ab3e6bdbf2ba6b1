# mutant: a scenario that always fails is called flaky
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        if 0 < c < n:
""",
        """\
        if c < n:
""",
    ),
]
