# mutant: never reclaims: a crashed worker's tickets stay pending forever
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    _, claimed, _ = r.xautoclaim(
        stream, group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
    )
""",
        """\
    claimed = []
""",
    ),
]
