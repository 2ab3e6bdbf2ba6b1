# mutant: pass@k computed as pass^k (all k pass instead of at least one)
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)
""",
        """\
    return math.comb(c, k) / math.comb(n, k)
""",
    ),
]
