# mutant: reads topics and details from every message, the agent's and the old summaries' too
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        if m["role"] != "user":
            continue
        named = topic_of(m["content"])
""",
        """\
        named = topic_of(m["content"])
""",
    ),
]
