# mutant: the open question is the last assistant question anywhere, not the last assistant message
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    if assistant_texts and asked_slots(assistant_texts[-1]):
        open_question = assistant_texts[-1]
""",
        """\
    for text in assistant_texts:
        if asked_slots(text):
            open_question = text
""",
    ),
]
