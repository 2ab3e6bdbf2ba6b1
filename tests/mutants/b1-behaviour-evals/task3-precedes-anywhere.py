# mutant: a "first" call anywhere in the trajectory counts, even after the "then" call
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
            if not any(_predecessor(earlier, step) for earlier in trajectory[:i]):
""",
        """\
            if not any(_predecessor(earlier, step) for earlier in trajectory):
""",
    ),
]
