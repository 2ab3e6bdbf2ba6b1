# mutant: an event exactly `window` seconds old is still inside the window
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    inside = [ok for t, ok in events if now - window < t <= now]
""",
        """\
    inside = [ok for t, ok in events if now - window <= t <= now]
""",
    ),
]
