# mutant: a failed trial call reopens at once (pybreaker style) instead of deciding over all trials
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        self._window.append((failed, duration > self.slow_call_duration))
""",
        """\
        self._window.append((failed, duration > self.slow_call_duration))
        if self._state == HALF_OPEN and failed:
            self._transition(OPEN)
            return
""",
    ),
]
