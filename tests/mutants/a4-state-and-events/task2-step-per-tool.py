# mutant: names the step after the effect ('refund', 'email') instead of the node
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            desk, thread_id, "resolve", "refund_order",
""",
        """\
            desk, thread_id, "refund", "refund_order",
""",
    ),
    (
        """\
            desk, thread_id, "resolve", "send_email",
""",
        """\
            desk, thread_id, "email", "send_email",
""",
    ),
]
