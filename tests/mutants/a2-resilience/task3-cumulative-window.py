# mutant: keeps every outcome since closing instead of the last window_size
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        self._window = deque(maxlen=window_size)  # (failed, slow) for each recorded call
""",
        """\
        self._window = deque()  # (failed, slow) for each recorded call
""",
    ),
    (
        """\
            self._window = deque(maxlen=self.window_size)
""",
        """\
            self._window = deque()
""",
    ),
]
