# mutant: failed calls without usage are counted as missing usage too
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        if input_tokens is None or output_tokens is None:
            if not failed:
                out["missing_usage"] += 1
""",
        """\
        if input_tokens is None or output_tokens is None:
            out["missing_usage"] += 1
""",
    ),
]
