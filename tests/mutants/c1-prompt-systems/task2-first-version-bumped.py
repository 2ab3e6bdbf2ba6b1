# mutant: the first version is bumped from 0.0.0 instead of being 1.0.0
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if not versions:
            version = "1.0.0"
        else:
            major, minor, patch = (int(p) for p in versions[-1]["version"].split("."))
            version = {
""",
        """\
        major, minor, patch = (0, 0, 0)
        if versions:
            major, minor, patch = (int(p) for p in versions[-1]["version"].split("."))
        if True:
            version = {
""",
    ),
]
