# mutant: an e-mail is only flagged when a refund happened after it, not when none happened
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        first_refund = tools.index("refund_order") if "refund_order" in tools else len(tools)
""",
        """\
        first_refund = tools.index("refund_order") if "refund_order" in tools else 0
""",
    ),
]
