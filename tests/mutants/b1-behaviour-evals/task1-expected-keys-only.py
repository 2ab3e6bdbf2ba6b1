# mutant: only the reference's argument keys are compared (an extra argument goes unnoticed)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    for key in (set(a_args) | set(e_args)) - set(ignore):
""",
        """\
    for key in set(e_args) - set(ignore):
""",
    ),
]
