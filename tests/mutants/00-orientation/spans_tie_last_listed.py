# mutant: a running maximum with >= keeps the LAST of equally slow nodes in row order
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    nodes = sorted((row for row in rows if row["depth"] == 1), key=lambda r: r["start_s"])
    slowest = max(nodes, key=lambda r: r["duration_s"], default=None)
""",
        """\
    slowest = None
    for row in rows:
        if row["depth"] == 1 and (slowest is None or row["duration_s"] >= slowest["duration_s"]):
            slowest = row
""",
    ),
]
