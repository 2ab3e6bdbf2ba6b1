# mutant: a node missing from the table may go anywhere (allow by default)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if self.allowed is not None and next_node not in self.allowed.get(here, ()):
""",
        """\
        if (
            self.allowed is not None
            and here in self.allowed
            and next_node not in self.allowed[here]
        ):
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
