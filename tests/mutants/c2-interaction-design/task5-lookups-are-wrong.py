# mutant: counts unexpected lookups as wrong actions
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
                if call["name"] in SIDE_EFFECT_TOOLS and step not in expected:
""",
        """\
                if step not in expected:
""",
    ),
]
