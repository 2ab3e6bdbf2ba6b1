# mutant: renormalises the proportions after smoothing empty bins
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    cur_p = np.where(cur_p == 0, eps, cur_p)
""",
        """\
    cur_p = np.where(cur_p == 0, eps, cur_p)
    ref_p, cur_p = ref_p / ref_p.sum(), cur_p / cur_p.sum()
""",
    ),
]
