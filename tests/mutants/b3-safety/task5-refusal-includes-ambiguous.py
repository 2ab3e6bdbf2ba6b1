# mutant: counts ambiguous requests in the false-refusal denominator
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        "false_refusal": rate([r for r in clean if not r["ambiguous"]], "refused"),
""",
        """\
        "false_refusal": rate(clean, "refused"),
""",
    ),
]
