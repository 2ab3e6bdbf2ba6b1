# mutant: counts a call of exactly slow_call_duration as slow (>= instead of >)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        self._window.append((failed, duration > self.slow_call_duration))
""",
        """\
        self._window.append((failed, duration >= self.slow_call_duration))
""",
    ),
]
