# mutant: refuses a call whose history does not fit instead of shortening the context first
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
            messages = [messages[0], messages[-1]] if len(messages) > 1 else messages
""",
        """\
""",
    ),
]
