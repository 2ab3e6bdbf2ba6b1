# mutant: starts the running maximum at 0.0 with >, so nodes that took no time are never slowest
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    slowest = max(nodes, key=lambda r: r["duration_s"], default=None)
""",
        """\
    slowest, longest = None, 0.0
    for row in nodes:
        if row["duration_s"] > longest:
            slowest, longest = row, row["duration_s"]
""",
    ),
]
