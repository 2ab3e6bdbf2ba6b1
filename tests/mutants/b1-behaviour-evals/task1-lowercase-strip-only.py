# mutant: strings only stripped and lower-cased (inner whitespace runs kept, lower not casefold)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
""",
        """\
        return a.strip().lower() == b.strip().lower()
""",
    ),
]
