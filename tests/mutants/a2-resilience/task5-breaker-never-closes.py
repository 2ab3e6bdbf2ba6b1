# mutant: no trial calls in half-open, so the primary's breaker never closes after the incident
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            permitted_calls_in_half_open=2,
""",
        """\
            permitted_calls_in_half_open=0,
""",
    ),
]
