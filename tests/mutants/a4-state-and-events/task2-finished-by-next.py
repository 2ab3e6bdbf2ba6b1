# mutant: takes an empty get_state(config).next for a finished thread
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
    state = app.get_state(config)
    if not state.values:  # never started
        return app.invoke({"ticket": ticket}, config, durability="sync")
    if not state.next:  # finished
        return state.values
    return app.invoke(None, config, durability="sync")  # continue from the last checkpoint
""",
    ),
]
