# mutant: Bonferroni multiplies alpha by m instead of dividing
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    return sorted(name for name, p in p_values.items() if p <= alpha / m)
""",
        """\
    return sorted(name for name, p in p_values.items() if p <= min(1.0, alpha * m))
""",
    ),
]
