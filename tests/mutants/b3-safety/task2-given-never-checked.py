# mutant: keeps any given value, even one that is not among the candidates
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if given and (not options or value in options):
""",
        """\
        if given:
""",
    ),
]
