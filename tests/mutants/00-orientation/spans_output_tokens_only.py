# mutant: adds up only the output tokens per node (forgets the prompt)
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
        tokens[node] = tokens.get(node, 0) + (row["output_tokens"] or 0)
""",
    ),
]
