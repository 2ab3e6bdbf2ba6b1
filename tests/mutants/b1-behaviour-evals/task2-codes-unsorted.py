# mutant: codes returned in the order found, with repeats, not as a sorted list of distinct codes
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    codes = set()
""",
        """\
    codes = []
    codes.add = codes.append
""",
    ),
    (
        """\
    return sorted(codes)
""",
        """\
    return list(codes)
""",
    ),
]
