# mutant: adds token counts without handling None (a failed call) and sums cost the same way
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        tokens[node] = (
            tokens.get(node, 0) + (row["input_tokens"] or 0) + (row["output_tokens"] or 0)
        )
""",
        """\
        tokens[node] = tokens.get(node, 0) + row["input_tokens"] + row["output_tokens"]
""",
    ),
    (
        """\
        "cost_usd": float(sum(row["cost_usd"] or 0.0 for row in llm)),
""",
        """\
        "cost_usd": float(sum(row["cost_usd"] for row in llm)),
""",
    ),
]
