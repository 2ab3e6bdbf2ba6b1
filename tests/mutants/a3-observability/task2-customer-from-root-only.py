# mutant: the customer is read from the trace's root span only, not the nearest span that names one
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        customer_span = nearest(span, lambda s: "app.customer.id" in s["attributes"])
""",
        """\
        customer_span = nearest(span, lambda s: by_id.get(s["parent_id"]) is None)
        if customer_span is not None and "app.customer.id" not in customer_span["attributes"]:
            customer_span = None
""",
    ),
]
