# mutant: calls the model a second time to read the usage (two billed calls for one price)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    input_tokens = reply.usage_metadata["input_tokens"]
    output_tokens = reply.usage_metadata["output_tokens"]
""",
        """\
    usage = model.invoke(prompt).usage_metadata
    input_tokens = usage["input_tokens"]
    output_tokens = usage["output_tokens"]
""",
    ),
]
