# mutant: first divergence only over the common prefix (a trajectory that stops early matches)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    for i in range(max(len(actual), len(expected))):
        if i >= len(actual) or i >= len(expected) or not same(actual[i], expected[i]):
""",
        """\
    for i in range(min(len(actual), len(expected))):
        if not same(actual[i], expected[i]):
""",
    ),
]
