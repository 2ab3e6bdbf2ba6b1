# mutant: the release decision compares point estimates, not intervals
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    elif new["attack_success"]["high"] > max_attack_success:
""",
        """\
    elif new["attack_success"]["rate"] > max_attack_success:
""",
    ),
    (
        """\
    elif new["utility"]["high"] < old["utility"]["low"]:
""",
        """\
    elif new["utility"]["rate"] < old["utility"]["rate"]:
""",
    ),
]
