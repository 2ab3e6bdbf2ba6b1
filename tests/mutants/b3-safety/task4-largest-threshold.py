# mutant: picks the largest qualifying threshold (the safest-looking, least sensitive one)
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    for threshold in sorted(set(scores)):
""",
        """\
    for threshold in sorted(set(scores), reverse=True):
""",
    ),
]
