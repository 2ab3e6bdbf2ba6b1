# mutant: refuses the hop that is exactly at the limit (>= instead of >)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if len(path) > self.max_hops:  # this hop would be hop number len(path)
""",
        """\
        if len(path) >= self.max_hops:  # this hop would be hop number len(path)
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
