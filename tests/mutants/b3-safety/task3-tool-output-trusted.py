# mutant: counts tool results as trusted content (the injection's own text vouches for it)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    trusted = [m["content"].casefold() for m in messages if m["role"] in ("system", "user")]
""",
        """\
    trusted = [m["content"].casefold() for m in messages if m["role"] in ("system", "user", "tool")]
""",
    ),
]
