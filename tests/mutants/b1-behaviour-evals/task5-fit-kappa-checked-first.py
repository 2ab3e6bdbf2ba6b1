# mutant: judge_fit checks kappa before coverage (the reasons come in the wrong order)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if coverage == 0:
        reason = "no coverage"
    elif coverage < min_coverage:
        reason = "low coverage"
    elif undefined:
        reason = "undefined kappa"
    elif kappa < min_kappa:
        reason = "low kappa"
    else:
""",
        """\
    if undefined:
        reason = "undefined kappa"
    elif kappa < min_kappa:
        reason = "low kappa"
    elif coverage == 0:
        reason = "no coverage"
    elif coverage < min_coverage:
        reason = "low coverage"
    else:
""",
    ),
]
