# mutant: the idempotency key includes the time of the call, so a retry gets a new key
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        [thread_id, step, tool, args], sort_keys=True, separators=(",", ":"), ensure_ascii=False
""",
        """\
        [thread_id, step, tool, args, current_clock().time_ns()],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
""",
    ),
]
