# mutant: sends the confirmation e-mail before making the refund
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        refund = ledger.call(
            desk, thread_id, "resolve", "refund_order",
            {"order_id": ticket["order_id"], "amount": ticket["amount"]},
        )  # fmt: skip
        email = ledger.call(
            desk, thread_id, "resolve", "send_email",
            {"customer_id": ticket["customer_id"], "template": "refund_confirmation",
             "order_id": ticket["order_id"]},
        )  # fmt: skip
""",
        """\
        email = ledger.call(
            desk, thread_id, "resolve", "send_email",
            {"customer_id": ticket["customer_id"], "template": "refund_confirmation",
             "order_id": ticket["order_id"]},
        )  # fmt: skip
        refund = ledger.call(
            desk, thread_id, "resolve", "refund_order",
            {"order_id": ticket["order_id"], "amount": ticket["amount"]},
        )  # fmt: skip
""",
    ),
]
