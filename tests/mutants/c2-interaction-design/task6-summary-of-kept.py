# mutant: summarises the messages it keeps instead of the ones it drops (the dropped order id is gone)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        fitted = [summary_message(conversation_memory(messages[:k]))] + messages[k:]
""",
        """\
        fitted = [summary_message(conversation_memory(messages[k:]))] + messages[k:]
""",
    ),
]
