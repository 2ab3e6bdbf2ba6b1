# mutant: a rate's effect as reference minus current (the sign of the drift flipped)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
                tests[feature] = ("z-test", x2 / len(cur) - x1 / len(ref), p)
""",
        """\
                tests[feature] = ("z-test", x1 / len(ref) - x2 / len(cur), p)
""",
    ),
]
