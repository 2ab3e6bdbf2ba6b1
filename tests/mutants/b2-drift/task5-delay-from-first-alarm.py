# mutant: the delay is measured from the first alarm, wherever it is
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    return {"false_alarms": false_alarms, "delay": min(after) - change_at if after else None}
""",
        """\
    return {
        "false_alarms": false_alarms,
        "delay": alarms[0] - change_at if after and alarms else None,
    }
""",
    ),
]
