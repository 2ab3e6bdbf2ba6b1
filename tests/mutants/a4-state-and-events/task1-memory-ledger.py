# mutant: keeps the record in the object, not in Redis: a restart forgets every effect
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        self.r = r
        self.prefix = prefix
""",
        """\
        self.r = r
        self.prefix = prefix
        self.done = {}
""",
    ),
    (
        """\
        recorded = self.r.get(self.prefix + key)
""",
        """\
        recorded = self.done.get(key)
""",
    ),
    (
        """\
            self.r.set(self.prefix + key, output)
""",
        """\
            self.done[key] = output
""",
    ),
]
