# mutant: allows a retry while S < allowance, so 2.5 allows 3 retries
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if len(self._retries) + 1 <= allowed:
""",
        """\
        if len(self._retries) < allowed:
""",
    ),
]
