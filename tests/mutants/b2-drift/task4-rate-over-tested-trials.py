# mutant: trials whose pooled rate is 0 or 1 are left out of the denominator too
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    detected = 0
    for _ in range(trials):
""",
        """\
    detected = 0
    tested = trials
    for _ in range(trials):
""",
    ),
    (
        """\
        if pooled in (0.0, 1.0):
            continue
""",
        """\
        if pooled in (0.0, 1.0):
            tested -= 1
            continue
""",
    ),
    (
        """\
    return detected / trials
""",
        """\
    return detected / tested if tested else 0.0
""",
    ),
]
