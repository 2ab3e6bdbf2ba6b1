# mutant: budgets tested for truthiness, so a budget of 0 is no budget
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if self.max_tokens is not None and tokens > self.max_tokens:
""",
        """\
        if self.max_tokens and tokens > self.max_tokens:
""",
    ),
    (
        """\
        if self.max_cost_usd is not None and cost > self.max_cost_usd:
""",
        """\
        if self.max_cost_usd and cost > self.max_cost_usd:
""",
    ),
]
