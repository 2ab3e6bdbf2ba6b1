# mutant: a reply without usage_metadata is recorded as 0 input and 0 output tokens
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        usage = reply.usage_metadata
""",
        """\
        usage = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
""",
    ),
]
