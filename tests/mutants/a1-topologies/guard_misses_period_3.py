# mutant: detects ping-pong of period 2 only
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        for p in (2, 3):
""",
        """\
        for p in (2,):
""",
    ),
    (
        """\



""",
        """\


""",
    ),
    (
        """\
    return max_hops + 3
""",
        """\
    return max_hops + 3
    ### END SOLUTION
""",
    ),
]
