# mutant: rounds the sample size to the nearest integer instead of up
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    return int(math.ceil(n))
""",
        """\
    return int(round(n))
""",
    ),
]
