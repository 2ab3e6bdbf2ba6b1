# mutant: runs with the default durability (async): a lost checkpoint write goes unnoticed
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        return app.invoke({"ticket": ticket}, config, durability="sync")
    return app.invoke(None, config, durability="sync")  # continue from the last checkpoint
""",
        """\
        return app.invoke({"ticket": ticket}, config)
    return app.invoke(None, config)  # continue from the last checkpoint
""",
    ),
]
