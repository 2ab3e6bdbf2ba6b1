# mutant: the agent is read from the call's direct parent only, not the nearest agent above it
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        agent_span = nearest(
            span, lambda s: s["attributes"].get("gen_ai.operation.name") == "invoke_agent"
        )
""",
        """\
        parent = by_id.get(span["parent_id"])
        is_agent = parent and parent["attributes"].get("gen_ai.operation.name") == "invoke_agent"
        agent_span = parent if is_agent else None
""",
    ),
]
