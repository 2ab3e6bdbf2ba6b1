# mutant: an error's location is only its last part (no dotted path)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
            loc = ".".join(str(part) for part in entry["loc"]) or "(root)"
""",
        """\
            loc = str(entry["loc"][-1]) if entry["loc"] else "(root)"
""",
    ),
]
