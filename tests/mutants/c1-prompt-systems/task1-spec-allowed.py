# mutant: placeholders with a format spec or conversion are accepted
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} has a conversion or format spec")
""",
        """\
""",
    ),
]
