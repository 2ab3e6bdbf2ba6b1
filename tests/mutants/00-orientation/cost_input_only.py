# mutant: prices only the input tokens (forgets that output tokens are billed, and dearer)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    cost = (
        input_tokens * profile.input_price_per_mtok + output_tokens * profile.output_price_per_mtok
    ) / 1_000_000
""",
        """\
    cost = input_tokens * profile.input_price_per_mtok / 1_000_000
""",
    ),
]
