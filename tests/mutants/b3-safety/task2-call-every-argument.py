# mutant: clarify_call asks about any argument it cannot ground, required or not
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    decision = clarify_or_act(given, list(schemas[name].get("required", [])), {})
""",
        """\
    decision = clarify_or_act(given, list(call["args"]), {})
""",
    ),
]
