# mutant: credits each LLM span to its direct parent instead of the node (depth 1) above it
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    by_id = {row["span_id"]: row for row in rows}

    def node_of(row):
        while row["depth"] > 1:
            row = by_id[row["parent_id"]]
        return row["name"]

""",
        """\
""",
    ),
    (
        """\
        node = node_of(row)
""",
        """\
        node = row["parent"]
""",
    ),
]
