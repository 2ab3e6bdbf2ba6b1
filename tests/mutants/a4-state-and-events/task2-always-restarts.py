# mutant: always starts the thread again with the ticket instead of resuming it
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    if saver.get_tuple(config) is None:  # never started
        return app.invoke({"ticket": ticket}, config, durability="sync")
    return app.invoke(None, config, durability="sync")  # continue from the last checkpoint
""",
        """\
    return app.invoke({"ticket": ticket}, config, durability="sync")
""",
    ),
]
