# mutant: with clock=None, takes the current clock in the constructor instead of at each invoke
# replaces: task4-solution
# loses: task4
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
