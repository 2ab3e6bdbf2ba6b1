# mutant: retries only the status codes it has seen (429, 500, 503, 529), not 502/504/408/409
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    return status in (408, 409) or status >= 500
""",
        """\
    return status in (500, 503, 529)
""",
    ),
]
