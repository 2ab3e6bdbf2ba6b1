# mutant: the policy trusts only the last user message, not the whole conversation
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    trusted = [m["content"].casefold() for m in messages if m["role"] in ("system", "user")]
""",
        """\
    users = [m["content"].casefold() for m in messages if m["role"] == "user"]
    trusted = users[-1:]
""",
    ),
]
