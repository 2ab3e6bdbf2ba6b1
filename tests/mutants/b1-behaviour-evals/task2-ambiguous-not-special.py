# mutant: an ambiguous request is checked like any other (acting on it reads as "unexpected")
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    if ambiguous:
        return ["acted_on_ambiguous"] if side_effects else []
""",
        """\
    if ambiguous and not side_effects:
        return []
""",
    ),
]
