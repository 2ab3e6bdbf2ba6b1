# mutant: an edit refunds the proposed arguments, not the edited ones
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
                args = {**args, **decision["args"]}
""",
        """\
                pass
""",
    ),
]
