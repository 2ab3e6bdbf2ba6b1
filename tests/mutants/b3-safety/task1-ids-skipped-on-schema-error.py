# mutant: stops after schema errors, so a malformed call's hallucinated ids go unreported
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    seen = [text.casefold() for text in context]
""",
        """\
    if problems:
        return sorted(problems)
    seen = [text.casefold() for text in context]
""",
    ),
]
