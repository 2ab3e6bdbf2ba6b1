# mutant: a burn rate exactly at the threshold does not fire
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
                burn_rate(events, slo=slo, now=now, window=long_window) >= threshold
                and burn_rate(events, slo=slo, now=now, window=short_window) >= threshold
""",
        """\
                burn_rate(events, slo=slo, now=now, window=long_window) > threshold
                and burn_rate(events, slo=slo, now=now, window=short_window) > threshold
""",
    ),
]
