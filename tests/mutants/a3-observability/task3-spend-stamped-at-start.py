# mutant: stamps a call's cost with the time it started, not the time its reply arrived
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        reply = model.invoke(messages)
        usage = reply.usage_metadata or {}
""",
        """\
        started = (self._clock or current_clock()).now()
        reply = model.invoke(messages)
        usage = reply.usage_metadata or {}
""",
    ),
    (
        """\
        self._spend.setdefault(self.customer, []).append((now, cost))
""",
        """\
        self._spend.setdefault(self.customer, []).append((started, cost))
""",
    ),
]
