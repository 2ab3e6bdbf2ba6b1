# mutant: counts the prompt text with count_tokens instead of reading usage_metadata
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
def call_cost(model, prompt):
""",
        """\
# (it misses the per-message framing tokens the provider bills)
def call_cost(model, prompt):
""",
    ),
    (
        """\
    input_tokens = reply.usage_metadata["input_tokens"]
    output_tokens = reply.usage_metadata["output_tokens"]
""",
        """\
    input_tokens = count_tokens(prompt)
    output_tokens = count_tokens(reply.content)
""",
    ),
]
