# mutant: compares only the categories the reference has (a new tool in production is ignored)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    categories = sorted(set(reference) | set(current), key=repr)
""",
        """\
    categories = sorted(set(reference), key=repr)
""",
    ),
]
