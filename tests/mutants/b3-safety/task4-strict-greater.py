# mutant: flags scores strictly above the threshold
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        "tpr": sum(s >= threshold for s in bad) / len(bad),
        "fpr": sum(s >= threshold for s in good) / len(good),
""",
        """\
        "tpr": sum(s > threshold for s in bad) / len(bad),
        "fpr": sum(s > threshold for s in good) / len(good),
""",
    ),
    (
        """\
        fpr = sum(s >= threshold for s in good) / len(good)
""",
        """\
        fpr = sum(s > threshold for s in good) / len(good)
""",
    ),
    (
        """\
            tpr = sum(s >= threshold for s in bad) / len(bad)
""",
        """\
            tpr = sum(s > threshold for s in bad) / len(bad)
""",
    ),
]
