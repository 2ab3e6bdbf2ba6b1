# mutant: the token histogram's unit is "tokens" instead of the convention's "{token}"
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            "gen_ai.client.token.usage", unit="{token}", description="Tokens per model call"
""",
        """\
            "gen_ai.client.token.usage", unit="tokens", description="Tokens per model call"
""",
    ),
]
