# mutant: the repair turns are appended to the caller's own list
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    conversation = list(messages)
""",
        """\
    conversation = messages
""",
    ),
    (
        """\
        conversation = [*conversation, raw, HumanMessage(REPAIR_PROMPT.format(error=error))]
""",
        """\
        conversation += [raw, HumanMessage(REPAIR_PROMPT.format(error=error))]
""",
    ),
]
