# mutant: clarify_call only checks arguments, so a call to a function the model does not have is let through
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        return {"action": "ask", "argument": None, "options": [], "question": question}
""",
        """\
        return {"action": "act", "args": dict(call["args"])}
""",
    ),
]
