# mutant: checks the kept messages against the budget and forgets the summary's own tokens
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        if count_message_tokens(fitted) <= budget:
""",
        """\
        if count_message_tokens(messages[k:]) <= budget:
""",
    ),
]
