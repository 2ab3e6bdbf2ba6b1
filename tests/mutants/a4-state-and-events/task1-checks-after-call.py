# mutant: calls the desk first and only then looks at the record
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        recorded = self.r.get(self.prefix + key)
        if recorded is not None:
            return recorded
        output = desk.run(tool, args)
""",
        """\
        output = desk.run(tool, args)
        recorded = self.r.get(self.prefix + key)
        if recorded is not None:
            return recorded
""",
    ),
]
