# mutant: takes details from every message, the assistant's own guesses included
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if m["role"] == "user":
            slots.update(extract_slots(m["content"]))
""",
        """\
        if m["role"] != "system":
            slots.update(extract_slots(m["content"]))
""",
    ),
]
