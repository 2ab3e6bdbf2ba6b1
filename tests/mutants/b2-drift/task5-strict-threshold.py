# mutant: reaching the threshold exactly is not an alarm
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        if self.high >= self.threshold or self.low >= self.threshold:
""",
        """\
        if self.high > self.threshold or self.low > self.threshold:
""",
    ),
]
