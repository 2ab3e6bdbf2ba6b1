# mutant: with clock=None, takes the current clock once in the constructor instead of at each call
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        self._fixed_clock = clock
""",
        """\
        self._fixed_clock = clock or current_clock()
""",
    ),
]
