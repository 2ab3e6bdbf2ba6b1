# mutant: keeps events of age exactly `window` (expires with > instead of >=)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            while events and now - events[0] >= self.window:
""",
        """\
            while events and now - events[0] > self.window:
""",
    ),
]
