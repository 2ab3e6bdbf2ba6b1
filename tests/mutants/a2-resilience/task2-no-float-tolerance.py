# mutant: compares the allowance without the stated 1e-9 tolerance (0.29 * 100 allows 28, not 29)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if len(self._retries) + 1 <= allowed + 1e-9:  # 0.29 * 100 is 28.999999999999996
""",
        """\
        if len(self._retries) + 1 <= allowed:
""",
    ),
]
