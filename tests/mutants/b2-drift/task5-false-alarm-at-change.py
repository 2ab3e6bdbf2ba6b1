# mutant: an alarm at the change index itself counts as a false alarm
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    false_alarms = sum(1 for a in alarms if a < change_at)
    after = [a for a in alarms if a >= change_at]
""",
        """\
    false_alarms = sum(1 for a in alarms if a <= change_at)
    after = [a for a in alarms if a > change_at]
""",
    ),
]
