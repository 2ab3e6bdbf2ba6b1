# mutant: one Benjamini-Hochberg family across every version, not one per version
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
    report = []
    for version in sorted({r["version"] for r in rows} - {baseline}):
""",
        """\
    report = []
    pooled = {}
    for version in sorted({r["version"] for r in rows} - {baseline}):
""",
    ),
    (
        """\
        bh = benjamini_hochberg({f: test[2] for f, test in tests.items()}, alpha)
        for feature, (test, effect, p) in tests.items():
""",
        """\
        pooled.update({(version, f): t for f, t in tests.items()})
    everything = {repr(k): t[2] for k, t in pooled.items()}
    bh = benjamini_hochberg(everything, alpha)
    for (version, feature), (test, effect, p) in pooled.items():
        if True:
""",
    ),
    (
        """\
            flagged = feature in bh["flagged"]
""",
        """\
            flagged = repr((version, feature)) in bh["flagged"]
""",
    ),
    (
        """\
                    "adjusted": bh["adjusted"][feature],
""",
        """\
                    "adjusted": bh["adjusted"][repr((version, feature))],
""",
    ),
]
