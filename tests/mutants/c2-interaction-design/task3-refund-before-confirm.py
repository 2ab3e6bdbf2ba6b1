# mutant: refunds first and asks for the confirmation afterwards
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        decision = interrupt({"action": "refund_order", "args": args, "expires_at": expires_at})
""",
        """\
        desk.run("refund_order", args)
        decision = interrupt({"action": "refund_order", "args": args, "expires_at": expires_at})
""",
    ),
]
