# mutant: matches ignore_exceptions by exact type, so subclasses of an ignored type count as failures
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if isinstance(err, self.ignore_exceptions):
""",
        """\
        if type(err) in self.ignore_exceptions:
""",
    ),
]
