# mutant: never forgets old requests and retries: a lifetime budget instead of a window
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        for events in (self._requests, self._retries):
            while events and now - events[0] >= self.window:
                events.popleft()
""",
        """\
""",
    ),
]
