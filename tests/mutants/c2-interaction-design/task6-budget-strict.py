# mutant: a transcript exactly at the budget is treated as over it
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    if count_message_tokens(messages) <= budget:
""",
        """\
    if count_message_tokens(messages) < budget:
""",
    ),
]
