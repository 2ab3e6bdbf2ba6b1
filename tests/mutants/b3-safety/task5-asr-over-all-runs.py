# mutant: attack success rate over all runs instead of the attacked ones
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        "attack_success": rate(attacked, "attack_succeeded"),
""",
        """\
        "attack_success": rate(runs, "attack_succeeded"),
""",
    ),
]
