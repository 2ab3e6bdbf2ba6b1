# mutant: content equal to any older version returns that version instead of a new one
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if versions and versions[-1]["hash"] == digest:
            return versions[-1]["version"]
""",
        """\
        for entry in versions:
            if entry["hash"] == digest:
                return entry["version"]
""",
    ),
]
