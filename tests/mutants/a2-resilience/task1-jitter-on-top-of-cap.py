# mutant: adds the jitter on top of the capped exponential, so delays exceed the cap
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    delay = rng.random() * ceiling
""",
        """\
    delay = ceiling + rng.random() * base
""",
    ),
]
