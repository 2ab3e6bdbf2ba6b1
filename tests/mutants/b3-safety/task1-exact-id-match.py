# mutant: looks identifiers up exactly (no strip, no casefold), so "o10122 " counts as made up
# replaces: task1-solution
# loses: task1
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
            wanted = value.strip().casefold()
            if not any(wanted in text for text in seen):
""",
        """\
            wanted = value
            if not any(wanted in text for text in seen):
""",
    ),
]
