# mutant: clarify_call acts with only the arguments it could ground, dropping the optional ones the model made up
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    return {"action": "act", "args": dict(call["args"])}
""",
        """\
    return {"action": "act", "args": dict(given)}
""",
    ),
]
