# mutant: blocks only when p is strictly below alpha
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        "block": p_value <= alpha,
""",
        """\
        "block": p_value < alpha,
""",
    ),
]
