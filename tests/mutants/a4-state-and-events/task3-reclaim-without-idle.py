# mutant: reclaims every pending entry at once, without the minimum idle time
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        stream, group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
""",
        """\
        stream, group, consumer, min_idle_time=0, start_id="0-0", count=count
""",
    ),
]
