# mutant: the model call's span has kind INTERNAL instead of CLIENT
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        f"chat {model.model_name}",
        kind=SpanKind.CLIENT,
""",
        """\
        f"chat {model.model_name}",
        kind=SpanKind.INTERNAL,
""",
    ),
]
