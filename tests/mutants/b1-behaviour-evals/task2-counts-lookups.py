# mutant: every expected call is an expected effect, lookups included
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    expected = [c for c in expected_calls if c["name"] in SIDE_EFFECT_TOOLS]
""",
        """\
    expected = list(expected_calls)
""",
    ),
]
