# mutant: the table is tested for truthiness, so allowed={} allows every handoff
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if self.allowed is not None and next_node not in self.allowed.get(here, ()):
""",
        """\
        if self.allowed and next_node not in self.allowed.get(here, ()):
""",
    ),
]
