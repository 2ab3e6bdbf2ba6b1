# mutant: bin edges from both samples pooled instead of the reference alone
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    edges = np.unique(np.quantile(ref, [i / bins for i in range(1, bins)]))
""",
        """\
    edges = np.unique(np.quantile(np.concatenate([ref, cur]), [i / bins for i in range(1, bins)]))
""",
    ),
]
