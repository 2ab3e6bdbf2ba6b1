# mutant: max_attempts counts the repairs, not the calls (one call too many)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    for attempt in range(1, max_attempts + 1):
""",
        """\
    for attempt in range(1, max_attempts + 2):
""",
    ),
]
