# mutant: strict is not passed on to with_structured_output
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    runnable = model.with_structured_output(schema, method=method, strict=strict, include_raw=True)
""",
        """\
    runnable = model.with_structured_output(schema, method=method, include_raw=True)
""",
    ),
]
