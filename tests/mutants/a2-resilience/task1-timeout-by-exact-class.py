# mutant: recognises a timeout by its exact class, so a subclass of APITimeoutError is judged by its status
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    if isinstance(err, APITimeoutError):
        return True
""",
        """\
    if type(err) is APITimeoutError:
        return True
""",
    ),
]
