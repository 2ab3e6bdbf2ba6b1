# mutant: leaves flagged points out of later windows, so a lasting step keeps being flagged
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        past = series[i - window : i]
""",
        """\
        past = [x for j, x in enumerate(series[i - window : i], i - window) if j not in flagged]
        past = past or series[i - window : i]
""",
    ),
]
