# mutant: sorts the caller's list in place
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return sorted(values)[rank - 1]
""",
        """\
    values.sort()
    return values[rank - 1]
""",
    ),
]
