# mutant: all_of reports the first part that fails, not the earliest violating step
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        return min(found) if found else None
""",
        """\
        return found[0] if found else None
""",
    ),
]
