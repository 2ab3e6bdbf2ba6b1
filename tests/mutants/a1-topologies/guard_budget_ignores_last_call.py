# mutant: adds up the calls before the last one
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        tokens = sum(c["input_tokens"] + c["output_tokens"] for c in calls)
        if self.max_tokens is not None and tokens > self.max_tokens:
            return f"token_budget: {tokens} tokens used, budget {self.max_tokens}"
        cost = sum(c["cost_usd"] for c in calls)
""",
        """\
        tokens = sum(c["input_tokens"] + c["output_tokens"] for c in calls[:-1])
        if self.max_tokens is not None and tokens > self.max_tokens:
            return f"token_budget: {tokens} tokens used, budget {self.max_tokens}"
        cost = sum(c["cost_usd"] for c in calls[:-1])
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
