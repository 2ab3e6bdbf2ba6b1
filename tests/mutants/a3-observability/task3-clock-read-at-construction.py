# mutant: takes the current clock when the guard is built, not at each call
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        self._clock = clock  # None: read current_clock() at each call, not now
""",
        """\
        self._clock = clock or current_clock()
""",
    ),
]
