# mutant: alarm indices counted from 1
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            self.alarms.append(index)
""",
        """\
            self.alarms.append(self.n)
""",
    ),
]
