# mutant: walks up by the parent's NAME, which repeats across runs and nested chains
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
    by_name = {row["name"]: row for row in rows}

    def node_of(row):
        while row["depth"] > 1:
            row = by_name[row["parent"]]
        return row["name"]
""",
    ),
]
