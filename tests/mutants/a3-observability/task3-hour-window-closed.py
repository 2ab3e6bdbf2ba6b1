# mutant: a call that returned exactly an hour ago still counts against the customer
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        return sum(c for t, c in self._spend.get(customer_id, ()) if now - self.HOUR < t <= now)
""",
        """\
        return sum(c for t, c in self._spend.get(customer_id, ()) if now - self.HOUR <= t <= now)
""",
    ),
]
