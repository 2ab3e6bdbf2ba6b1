# mutant: prose around the JSON is not cut away before validating
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    kept = text[start : end + 1] if start != -1 and end > start else text
""",
        """\
    kept = text
""",
    ),
]
