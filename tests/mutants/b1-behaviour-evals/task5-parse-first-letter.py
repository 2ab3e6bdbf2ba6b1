# mutant: the verdict word's case kept ("Tie", "a" come back unchanged)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    word = found.group(1).lower()
    return "tie" if word == "tie" else word.upper()
""",
        """\
    return found.group(1)
""",
    ),
]
