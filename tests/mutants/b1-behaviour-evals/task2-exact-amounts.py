# mutant: amounts compared exactly, so 32.904 is not a refund of 32.90
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            if not abs(got - want) < 0.005:
""",
        """\
            if got != want:
""",
    ),
]
