# mutant: a value equal to an edge goes to the bin above it
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    ref_p = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=n_bins) / len(ref)
    cur_p = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=n_bins) / len(cur)
""",
        """\
    ref_p = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=n_bins) / len(ref)
    cur_p = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=n_bins) / len(cur)
""",
    ),
]
