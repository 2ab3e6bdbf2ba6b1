# mutant: the slack is subtracted on the upper side only
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        self.low = max(0.0, self.low + (self.target - x - self.slack))
""",
        """\
        self.low = max(0.0, self.low + (self.target - x))
""",
    ),
]
