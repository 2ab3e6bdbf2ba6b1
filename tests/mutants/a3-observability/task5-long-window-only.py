# mutant: alerts on the long window alone, so a page keeps firing long after the outage ended
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            if (
                burn_rate(events, slo=slo, now=now, window=long_window) >= threshold
                and burn_rate(events, slo=slo, now=now, window=short_window) >= threshold
            ):
""",
        """\
            if burn_rate(events, slo=slo, now=now, window=long_window) >= threshold:
""",
    ),
]
