# mutant: forgets that the signed-in customer's own id is trusted
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        if name == "customer_id" and wanted == session:
            continue
""",
        "",
    ),
]
