# mutant: recognises a timeout by its code "timeout" rather than by its type
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if isinstance(err, APITimeoutError):
        return True
""",
        """\
    if err.code == "timeout":
        return True
""",
    ),
]
