# mutant: a token count that is not known is recorded as 0
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            for kind, count in (("input", input_tokens), ("output", output_tokens)):
                if count is not None:
                    self.token_usage.record(count, {**base, "gen_ai.token.type": kind})
""",
        """\
            for kind, count in (("input", input_tokens), ("output", output_tokens)):
                self.token_usage.record(count or 0, {**base, "gen_ai.token.type": kind})
""",
    ),
]
