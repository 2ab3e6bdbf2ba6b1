# mutant: BH always at 0.05, whatever alpha the caller passed
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        bh = benjamini_hochberg({f: test[2] for f, test in tests.items()}, alpha)
""",
        """\
        bh = benjamini_hochberg({f: test[2] for f, test in tests.items()})
""",
    ),
]
