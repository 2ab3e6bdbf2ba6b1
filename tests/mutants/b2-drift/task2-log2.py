# mutant: PSI with base-2 logarithms
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    return float(np.sum((cur_p - ref_p) * np.log(cur_p / ref_p)))
""",
        """\
    return float(np.sum((cur_p - ref_p) * np.log2(cur_p / ref_p)))
""",
    ),
]
