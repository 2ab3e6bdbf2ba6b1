# mutant: the last user message is the last message of any role
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        "last_user_message": user_texts[-1] if user_texts else "",
""",
        """\
        "last_user_message": messages[-1]["content"] if messages else "",
""",
    ),
]
