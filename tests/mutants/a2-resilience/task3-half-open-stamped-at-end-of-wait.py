# mutant: stamps the lazy open -> half_open move with the end of the wait, not the time of the read
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        self.events.append({"at": self._now(), "from": self._state, "to": to})
""",
        """\
        at = self._opened_at + self.wait_duration_in_open if to == HALF_OPEN else self._now()
        self.events.append({"at": at, "from": self._state, "to": to})
""",
    ),
]
