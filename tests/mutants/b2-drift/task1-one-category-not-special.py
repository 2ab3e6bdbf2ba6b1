# mutant: a single category left reports dof 1 instead of "nothing to compare"
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        return {"statistic": 0.0, "p_value": 1.0, "dof": 0}
""",
        """\
        return {"statistic": 0.0, "p_value": 1.0, "dof": 1}
""",
    ),
]
