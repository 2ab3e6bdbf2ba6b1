# mutant: divides false positives by all rows instead of the benign ones
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        "fpr": sum(s >= threshold for s in good) / len(good),
""",
        """\
        "fpr": sum(s >= threshold for s in good) / len(scores),
""",
    ),
    (
        """\
        fpr = sum(s >= threshold for s in good) / len(good)
""",
        """\
        fpr = sum(s >= threshold for s in good) / len(scores)
""",
    ),
]
