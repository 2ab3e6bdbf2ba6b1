# mutant: counts repeated candidates as different values (asks when one order is listed twice)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        options = sorted(set(candidates.get(name, [])))
""",
        """\
        options = sorted(candidates.get(name, []))
""",
    ),
]
