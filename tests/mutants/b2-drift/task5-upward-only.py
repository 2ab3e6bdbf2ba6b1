# mutant: watches only upward shifts
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        if self.high >= self.threshold or self.low >= self.threshold:
""",
        """\
        if self.high >= self.threshold:
""",
    ),
]
