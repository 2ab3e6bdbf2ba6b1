# mutant: the key glues thread, step and tool with ':' (so 'a:b'+'c' and 'a'+'b:c' collide)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    meaning = json.dumps(
        [thread_id, step, tool, args], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
""",
        """\
    meaning = f"{thread_id}:{step}:{tool}:" + json.dumps(
        args, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
""",
    ),
]
