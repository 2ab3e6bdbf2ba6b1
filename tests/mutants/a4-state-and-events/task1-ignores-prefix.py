# mutant: stores every ledger under the default prefix, so two ledgers share their records
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        recorded = self.r.get(self.prefix + key)
""",
        """\
        recorded = self.r.get("effects:" + key)
""",
    ),
    (
        """\
            self.r.set(self.prefix + key, output)
""",
        """\
            self.r.set("effects:" + key, output)
""",
    ),
]
