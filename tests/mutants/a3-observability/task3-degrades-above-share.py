# mutant: switches to the cheap model only above the degrade share, not at it
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
            self.cheap if spend >= self.degrade_at * self.customer_usd_per_hour else self.primary
""",
        """\
            self.cheap if spend > self.degrade_at * self.customer_usd_per_hour else self.primary
""",
    ),
]
