# mutant: a must-pass case missing from the results is ignored
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
if not candidate[case]]
""",
        """\
if not candidate.get(case, True)]
""",
    ),
]
