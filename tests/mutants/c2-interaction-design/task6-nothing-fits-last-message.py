# mutant: when nothing fits, sends the last message alone and drops every detail before it
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    return [summary_message(conversation_memory(messages))]
""",
        """\
    return messages[-1:]
""",
    ),
]
