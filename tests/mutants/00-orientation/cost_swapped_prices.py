# mutant: swaps the prices (input tokens at the output price and vice versa)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        input_tokens * profile.input_price_per_mtok + output_tokens * profile.output_price_per_mtok
""",
        """\
        input_tokens * profile.output_price_per_mtok + output_tokens * profile.input_price_per_mtok
""",
    ),
]
