# mutant: adds min_per_second itself instead of min_per_second * window
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        allowed = self.ratio * len(self._requests) + self.min_per_second * self.window
""",
        """\
        allowed = self.ratio * len(self._requests) + self.min_per_second
""",
    ),
]
