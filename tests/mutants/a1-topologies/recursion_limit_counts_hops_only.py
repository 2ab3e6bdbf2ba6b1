# mutant: recursion_limit_for forgets the escalate node and the input step
# replaces: task2-solution
# loses: task2
EDITS = [
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
    return max_hops + 1
    ### END SOLUTION
""",
    ),
]
