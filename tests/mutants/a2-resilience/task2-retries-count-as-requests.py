# mutant: records each retry as a request too, so the allowance grows as it is spent
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            self._retries.append(now)
""",
        """\
            self._retries.append(now)
            self._requests.append(now)
""",
    ),
]
