# mutant: records outcomes that arrive while the breaker is open (calls let through before it opened)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if self._state == OPEN:
            return  # a call admitted before the breaker opened; the verdict is already in
""",
        """\
""",
    ),
]
