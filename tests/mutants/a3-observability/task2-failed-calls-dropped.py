# mutant: failed calls are left out, as if a call the provider did not charge did not happen
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if operation not in ("chat", "execute_tool"):
            continue
""",
        """\
        if operation not in ("chat", "execute_tool") or span["status"] == "ERROR":
            continue
""",
    ),
]
