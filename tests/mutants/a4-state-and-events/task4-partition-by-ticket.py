# mutant: partitions on the whole ticket instead of the customer, so a customer's tickets scatter
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    stream = f"tickets:{partition_for(ticket['customer_id'], partitions)}"
""",
        """\
    stream = f"tickets:{partition_for(json.dumps(ticket, sort_keys=True), partitions)}"
""",
    ),
]
