# mutant: returns act for an empty missing list before checking p and the costs
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if not 0 <= p_right_guess <= 1:
""",
        """\
    if not missing:
        return "act"
    if not 0 <= p_right_guess <= 1:
""",
    ),
]
