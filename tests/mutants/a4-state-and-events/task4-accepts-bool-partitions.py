# mutant: accepts True (and floats) as a number of partitions
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    if type(partitions) is not int or partitions < 1:
""",
        """\
    if partitions < 1:
""",
    ),
]
