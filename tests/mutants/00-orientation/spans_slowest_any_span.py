# mutant: picks the slowest span of any depth (the root LangGraph span), not the slowest node
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    nodes = sorted((row for row in rows if row["depth"] == 1), key=lambda r: r["start_s"])
    slowest = max(nodes, key=lambda r: r["duration_s"], default=None)
""",
        """\
    slowest = max(rows, key=lambda r: r["duration_s"], default=None)
""",
    ),
]
