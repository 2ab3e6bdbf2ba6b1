# mutant: asks for every missing detail at once
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    return QUESTIONS[missing[0]]
""",
        """\
    return " ".join(QUESTIONS[slot] for slot in missing)
""",
    ),
]
