# mutant: the default delay makes a new random.Random(seed) at every call instead of one per chain
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                attempt, base=0.5, cap=8.0, rng=rng, retry_after=getattr(err, "retry_after", None)
""",
        """\
                attempt,
                base=0.5,
                cap=8.0,
                rng=random.Random(seed),
                retry_after=getattr(err, "retry_after", None),
""",
    ),
]
