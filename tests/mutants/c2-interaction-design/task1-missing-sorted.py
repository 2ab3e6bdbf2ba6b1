# mutant: returns the missing slots sorted instead of in required order
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return missing
""",
        """\
    return sorted(missing)
""",
    ),
]
