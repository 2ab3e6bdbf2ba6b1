# mutant: json.dumps without sort_keys: the same arguments in another order give another key
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        [thread_id, step, tool, args], sort_keys=True, separators=(",", ":"), ensure_ascii=False
""",
        """\
        [thread_id, step, tool, args], separators=(",", ":"), ensure_ascii=False
""",
    ),
]
