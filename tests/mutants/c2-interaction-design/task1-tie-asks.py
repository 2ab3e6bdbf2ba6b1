# mutant: asks on a tie (greater-or-equal instead of strictly greater)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return "ask" if (1 - p_right_guess) * cost_wrong > cost_question else "act"
""",
        """\
    return "ask" if (1 - p_right_guess) * cost_wrong >= cost_question else "act"
""",
    ),
]
