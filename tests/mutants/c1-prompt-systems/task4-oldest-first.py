# mutant: among equal priorities the oldest unit goes first
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    rest.sort(key=lambda m: (max(items[i]["priority"] for i in m), m[-1]), reverse=True)
""",
        """\
    rest.sort(key=lambda m: (-max(items[i]["priority"] for i in m), m[-1]))
""",
    ),
]
