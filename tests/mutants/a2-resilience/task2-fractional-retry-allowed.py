# mutant: allows a retry while S < allowance, so 2.5 allows 3 retries
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if len(self._retries) + 1 <= allowed + 1e-9:  # 0.29 * 100 is 28.999999999999996
""",
        """\
        if len(self._retries) < allowed:
""",
    ),
]
