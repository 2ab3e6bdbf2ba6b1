# mutant: clarify_call looks a value up without casefolding, so "Report.pdf" seen as "report.pdf" counts as made up
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    seen = [text.casefold() for text in context]
""",
        """\
    seen = list(context)
""",
    ),
    (
        """\
        if isinstance(value, str) and not any(value.strip().casefold() in t for t in seen):
""",
        """\
        if isinstance(value, str) and not any(value.strip() in t for t in seen):
""",
    ),
]
