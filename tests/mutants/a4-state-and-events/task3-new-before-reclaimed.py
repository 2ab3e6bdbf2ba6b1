# mutant: handles the new entries before the reclaimed ones
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    entries = list(claimed) + [e for _, batch in new for e in batch]
""",
        """\
    entries = [e for _, batch in new for e in batch] + list(claimed)
""",
    ),
]
