# mutant: copies a poison ticket to the dead-letter stream but leaves it pending
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
            r.xack(stream, group, entry_id)
            done["dead"].append(entry_id)
""",
        """\
            done["dead"].append(entry_id)
""",
    ),
]
