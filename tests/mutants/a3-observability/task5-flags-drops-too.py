# mutant: flags drops as well as rises (an absolute z-score)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        elif 0.6745 * (series[i] - median) / mad > threshold:
""",
        """\
        elif abs(0.6745 * (series[i] - median) / mad) > threshold:
""",
    ),
]
