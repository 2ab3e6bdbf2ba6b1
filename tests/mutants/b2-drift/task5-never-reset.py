# mutant: CUSUM never reset after an alarm
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            self.high = self.low = 0.0
            return True
""",
        """\
            return True
""",
    ),
]
