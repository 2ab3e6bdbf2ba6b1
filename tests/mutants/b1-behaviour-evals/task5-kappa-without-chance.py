# mutant: kappa without chance correction (the observed agreement)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return (observed - expected) / (1 - expected)
""",
        """\
    return observed
""",
    ),
]
