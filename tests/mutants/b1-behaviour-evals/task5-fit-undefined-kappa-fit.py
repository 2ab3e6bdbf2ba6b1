# mutant: an undefined kappa (None or NaN) is taken as fit (NaN < bar is False, None is skipped)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    elif undefined:
        reason = "undefined kappa"
    elif kappa < min_kappa:
""",
        """\
    elif kappa is not None and kappa < min_kappa:
""",
    ),
]
