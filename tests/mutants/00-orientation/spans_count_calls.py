# mutant: counts LLM spans per node instead of adding up their tokens
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
        tokens[node] = tokens.get(node, 0) + 1
""",
    ),
]
