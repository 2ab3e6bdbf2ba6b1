# mutant: a new request keeps the previous request's token count
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        self.customer = customer_id
        self.used = 0
""",
        """\
        self.customer = customer_id
""",
    ),
]
