# mutant: counts every assistant message as a question
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    asked = sum(1 for m in messages if m["role"] == "assistant" and asked_slots(m["content"]))
""",
        """\
    asked = sum(1 for m in messages if m["role"] == "assistant")
""",
    ),
]
