# mutant: reports the n-th call instead of the (n + 1)-th
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
                if seen > n:
""",
        """\
                if seen >= n:
""",
    ),
]
