# mutant: keeps paused threads in a saver of its own at module level, not the given checkpointer (resuming without the checkpoint: works until the process restarts)
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
def build_refund_flow(desk, checkpointer):
""",
        """\
_OWN_SAVER = InMemorySaver()


def build_refund_flow(desk, checkpointer):
""",
    ),
    (
        """\
    return graph.compile(checkpointer=checkpointer)
""",
        """\
    return graph.compile(checkpointer=_OWN_SAVER)
""",
    ),
]
