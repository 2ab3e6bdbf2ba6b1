# mutant: keeps scipy's default continuity correction (it changes 2 x 2 tables only)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    result = stats.chi2_contingency(np.vstack([ref[seen], cur[seen]]), correction=False)
""",
        """\
    result = stats.chi2_contingency(np.vstack([ref[seen], cur[seen]]))
""",
    ),
]
