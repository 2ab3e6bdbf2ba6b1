# mutant: retries a context-length error on the same route before trying the long-context model
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                        {"route": route.name, "start": t0, "end": clock.now(), "outcome": err.code}
                    )
""",
        """\
                        {"route": route.name, "start": t0, "end": clock.now(), "outcome": err.code}
                    )
                    if isinstance(err, ContextLengthExceededError) and calls < self.max_attempts:
                        clock.sleep(self.delay(calls - 1, err))
                        continue
""",
    ),
]
