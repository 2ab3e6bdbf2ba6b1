# mutant: the true-positive rate divides by every row, not by the malicious ones
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            tpr = sum(s >= threshold for s in bad) / len(bad)
""",
        """\
            tpr = sum(s >= threshold for s in bad) / len(scores)
""",
    ),
]
