# mutant: utility under attack counted over every run instead of the attacked ones
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        "utility_under_attack": rate(attacked, "task_done"),
""",
        """\
        "utility_under_attack": rate(runs, "task_done"),
""",
    ),
]
