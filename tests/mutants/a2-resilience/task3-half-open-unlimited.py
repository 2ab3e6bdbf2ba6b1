# mutant: half-open admits every call instead of permitted_calls_in_half_open
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if state == HALF_OPEN and self._admitted < self.permitted_calls_in_half_open:
""",
        """\
        if state == HALF_OPEN:
""",
    ),
]
