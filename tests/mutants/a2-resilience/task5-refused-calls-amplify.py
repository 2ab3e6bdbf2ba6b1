# mutant: counts calls a breaker refused as model calls
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    calls = sum(1 for r in records for a in r["attempts"] if a["outcome"] != "not_permitted")
""",
        """\
    calls = sum(len(r["attempts"]) for r in records)
""",
    ),
]
