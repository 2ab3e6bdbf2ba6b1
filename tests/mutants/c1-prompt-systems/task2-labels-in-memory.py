# mutant: a label change is not written to the file
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        history.append(version)
        self._save()
""",
        """\
        history.append(version)
""",
    ),
]
