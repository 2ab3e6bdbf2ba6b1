# mutant: the judge is "debiased" on one order only (the swapped verdict is never used)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return {"ab": ab, "ba": ba, "final": ab if ab == ba else "tie"}
""",
        """\
    return {"ab": ab, "ba": ba, "final": ab}
""",
    ),
]
