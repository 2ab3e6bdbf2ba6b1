# mutant: a request may not cost exactly the budget
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        if tokens + cost(members) <= budget:
""",
        """\
        if tokens + cost(members) < budget:
""",
    ),
]
