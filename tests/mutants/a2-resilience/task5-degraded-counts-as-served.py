# mutant: counts degraded answers as served (only 'failed' is not)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    served = sum(1 for r in records if r["served_by"] not in ("degraded", "failed"))
""",
        """\
    served = sum(1 for r in records if r["served_by"] != "failed")
""",
    ),
]
