# mutant: counts model calls instead of hops for the hop limit
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if len(path) > self.max_hops:  # this hop would be hop number len(path)
""",
        """\
        if len(calls) > self.max_hops:  # this hop would be hop number len(path)
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
