# mutant: k larger than n is accepted (math.comb quietly gives 0)
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    _check_counts(n, c, k)
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)
""",
        """\
    if not (0 <= c <= n and k >= 1):
        raise ValueError("bad counts")
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)
""",
    ),
    (
        """\
    _check_counts(n, c, k)
    return math.comb(c, k) / math.comb(n, k)
""",
        """\
    if not (0 <= c <= n and k >= 1):
        raise ValueError("bad counts")
    return math.comb(c, k) / math.comb(n, k)
""",
    ),
]
