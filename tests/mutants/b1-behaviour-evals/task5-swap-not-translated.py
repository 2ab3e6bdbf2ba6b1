# mutant: the swapped verdict is not translated back (its A is taken for the original A)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    ba = _SWAP[parse_winner(second.content)]
""",
        """\
    ba = parse_winner(second.content)
""",
    ),
]
