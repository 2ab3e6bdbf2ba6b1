# mutant: PSI without smoothing of empty bins (empty bins are just skipped)
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    ref_p = np.where(ref_p == 0, eps, ref_p)
    cur_p = np.where(cur_p == 0, eps, cur_p)
    return float(np.sum((cur_p - ref_p) * np.log(cur_p / ref_p)))
""",
        """\
    keep = (ref_p > 0) & (cur_p > 0)
    return float(np.sum((cur_p[keep] - ref_p[keep]) * np.log(cur_p[keep] / ref_p[keep])))
""",
    ),
]
