# mutant: a one-sided p-value
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    return {"z": float(z), "p_value": float(2 * stats.norm.sf(abs(z)))}
""",
        """\
    return {"z": float(z), "p_value": float(stats.norm.sf(abs(z)))}
""",
    ),
]
