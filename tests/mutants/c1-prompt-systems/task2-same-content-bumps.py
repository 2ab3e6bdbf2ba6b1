# mutant: registering unchanged content adds a new version
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if versions and versions[-1]["hash"] == digest:
            return versions[-1]["version"]
""",
        """\
""",
    ),
]
