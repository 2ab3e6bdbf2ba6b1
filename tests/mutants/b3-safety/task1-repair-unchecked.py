# mutant: trusts the repaired calls without checking them again
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        if not failing:
            return {"action": "call", "calls": calls, "attempts": attempt}
""",
        """\
        if not failing or attempt == 2:
            return {"action": "call", "calls": calls, "attempts": attempt}
""",
    ),
]
