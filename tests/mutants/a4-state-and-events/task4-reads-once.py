# mutant: reads the value once, before the attempts, so a retry writes a stale sum
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    for _ in range(max_attempts):
        with r.pipeline() as pipe:
            try:
                pipe.watch(key)
                new_value = int(pipe.get(key) or 0) + amount
""",
        """\
    new_value = int(r.get(key) or 0) + amount
    for _ in range(max_attempts):
        with r.pipeline() as pipe:
            try:
                pipe.watch(key)
""",
    ),
]
