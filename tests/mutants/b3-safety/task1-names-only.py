# mutant: checks that the tool is bound but never validates the arguments against its schema
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    problems = {f"schema:{error.validator}" for error in validator.iter_errors(args)}
""",
        """\
    problems = set()
""",
    ),
]
