# mutant: the note drops every falsy detail, 0 included
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        if slots[k] is not None and not (isinstance(slots[k], str) and not slots[k].strip())
""",
        """\
        if slots[k] and not (isinstance(slots[k], str) and not slots[k].strip())
""",
    ),
]
