# mutant: records requests but never asks the budget before a retry
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                    if self.budget is not None and not self.budget.try_spend():
                        break
""",
        """\
""",
    ),
]
