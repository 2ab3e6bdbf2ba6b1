# mutant: the repair request does not carry the validation error
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        conversation = [*conversation, raw, HumanMessage(REPAIR_PROMPT.format(error=error))]
""",
        """\
        conversation = [*conversation, raw, HumanMessage(REPAIR_PROMPT.format(error="invalid"))]
""",
    ),
]
