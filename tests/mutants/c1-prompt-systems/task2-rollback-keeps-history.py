# mutant: rollback returns the previous version without moving the label
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        history.pop()
        self._save()
        return history[-1]
""",
        """\
        return history[-2]
""",
    ),
]
