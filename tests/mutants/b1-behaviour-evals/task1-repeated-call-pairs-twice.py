# mutant: an actual call may pair with several expected calls (a refund made once "covers" two)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
            if i not in paired and same(made, call):
""",
        """\
            if same(made, call):
""",
    ),
]
