# mutant: refuses a run that spent exactly its budget (>= instead of >)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if self.max_tokens is not None and tokens > self.max_tokens:
            return f"token_budget: {tokens} tokens used, budget {self.max_tokens}"
        cost = sum(c["cost_usd"] for c in calls)
        if self.max_cost_usd is not None and cost > self.max_cost_usd:
""",
        """\
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return f"token_budget: {tokens} tokens used, budget {self.max_tokens}"
        cost = sum(c["cost_usd"] for c in calls)
        if self.max_cost_usd is not None and cost >= self.max_cost_usd:
""",
    ),
    (
        """\



""",
        """\


""",
    ),
    (
        """\
    return max_hops + 3
""",
        """\
    return max_hops + 3
    ### END SOLUTION
""",
    ),
]
