# mutant: makes the refund straight on the desk, so a rerun of resolve refunds again
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        refund = ledger.call(
            desk, thread_id, "resolve", "refund_order",
            {"order_id": ticket["order_id"], "amount": ticket["amount"]},
        )  # fmt: skip
""",
        """\
        refund = desk.run(
            "refund_order", {"order_id": ticket["order_id"], "amount": ticket["amount"]}
        )
""",
    ),
]
