# mutant: counts ignored exceptions as successes
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if isinstance(err, self.ignore_exceptions):
            if self._state == HALF_OPEN:
                self._admitted -= 1  # the trial slot goes back: this call told us nothing
            return
        self._record(True, duration)
""",
        """\
        self._record(not isinstance(err, self.ignore_exceptions), duration)
""",
    ),
]
