# mutant: prices every call by the requested model, even when another model answered
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
            model = attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model")
""",
        """\
            model = attrs.get("gen_ai.request.model")
""",
    ),
]
