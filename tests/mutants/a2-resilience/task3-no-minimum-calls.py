# mutant: computes the rates from the first recorded call (ignores minimum_calls)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        needed = self.minimum_calls if self._state == CLOSED else self.permitted_calls_in_half_open
""",
        """\
        needed = 1 if self._state == CLOSED else self.permitted_calls_in_half_open
""",
    ),
]
