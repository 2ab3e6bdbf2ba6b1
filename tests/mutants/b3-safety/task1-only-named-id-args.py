# mutant: checks only the names in IDENTIFIER_ARGS and forgets other "*_id" arguments
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        if (name in IDENTIFIER_ARGS or name.endswith("_id")) and isinstance(value, str):
            wanted = value.strip().casefold()
""",
        """\
        if name in IDENTIFIER_ARGS and isinstance(value, str):
            wanted = value.strip().casefold()
""",
    ),
]
