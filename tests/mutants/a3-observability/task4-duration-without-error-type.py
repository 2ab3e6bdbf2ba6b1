# mutant: failed calls' durations are recorded without error.type, mixed with successful ones
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        self.duration.record(duration_s, {**base, "error.type": error_type} if error_type else base)
""",
        """\
        self.duration.record(duration_s, base)
""",
    ),
]
