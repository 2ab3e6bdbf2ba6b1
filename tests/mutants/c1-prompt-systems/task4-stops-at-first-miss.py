# mutant: packing stops at the first unit that does not fit
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            tokens += cost(members)
            kept.update(members)
""",
        """\
            tokens += cost(members)
            kept.update(members)
        else:
            break
""",
    ),
]
