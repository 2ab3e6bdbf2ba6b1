# mutant: pair_runs keeps each dict's own key order instead of sorting
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    return [before[k] for k in keys], [after[k] for k in keys]
""",
        """\
    return list(before.values()), list(after.values())
""",
    ),
]
