# mutant: keeps the first value of a slot, so a changed mind is ignored
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            slots.update(extract_slots(m["content"]))
""",
        """\
            for slot, value in extract_slots(m["content"]).items():
                slots.setdefault(slot, value)
""",
    ),
]
