# mutant: returns the sum of costs as given, an int when the records' costs are ints
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        "cost_usd": float(sum(r["cost_usd"] for r in records)),
""",
        """\
        "cost_usd": sum(r["cost_usd"] for r in records),
""",
    ),
]
