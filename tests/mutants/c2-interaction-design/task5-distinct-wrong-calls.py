# mutant: counts a repeated wrong call once
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    wrong = 0
""",
        """\
    wrong = 0
    seen = []
""",
    ),
    (
        """\
                if call["name"] in SIDE_EFFECT_TOOLS and step not in expected:
                    wrong += 1
""",
        """\
                if call["name"] in SIDE_EFFECT_TOOLS and step not in expected and step not in seen:
                    seen.append(step)
                    wrong += 1
""",
    ),
]
