# mutant: judge_fit's kappa bar is exclusive (a judge exactly at the bar is "low kappa")
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    elif kappa < min_kappa:
""",
        """\
    elif kappa <= min_kappa:
""",
    ),
]
