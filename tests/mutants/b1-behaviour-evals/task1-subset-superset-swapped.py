# mutant: subset and superset swapped (subset read as "made at least the reference calls")
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        "subset": not extra,
        "superset": not missing,
""",
        """\
        "subset": not missing,
        "superset": not extra,
""",
    ),
]
