# mutant: asks even when no slot is missing (the empty check is forgotten)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if not missing:
        return "act"
    return "ask" if""",
        """\
    return "ask" if""",
    ),
]
