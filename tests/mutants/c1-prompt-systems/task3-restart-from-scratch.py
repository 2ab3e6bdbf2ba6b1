# mutant: each re-ask starts from the original messages (the earlier repair turns are lost)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        conversation = [*conversation, raw, HumanMessage(REPAIR_PROMPT.format(error=error))]
""",
        """\
        conversation = [*messages, raw, HumanMessage(REPAIR_PROMPT.format(error=error))]
""",
    ),
]
