# mutant: checks only the first call of a proposal
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        verdicts = [(call, check_call(call, tools, context)) for call in calls]
""",
        """\
        verdicts = [(call, check_call(call, tools, context)) for call in calls[:1]]
""",
    ),
]
