# mutant: times calls with time.monotonic(): virtual seconds never show up
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    clock = current_clock()
    start = clock.now()
""",
        """\
    import time

    start = time.monotonic()
""",
    ),
    (
        """\
            model=model.model_name, duration_s=clock.now() - start, error_type=type(exc).__name__
""",
        """\
            model=model.model_name, duration_s=time.monotonic() - start, error_type=type(exc).__name__
""",
    ),
    (
        """\
        duration_s=clock.now() - start,
        input_tokens=usage.get("input_tokens"),
""",
        """\
        duration_s=time.monotonic() - start,
        input_tokens=usage.get("input_tokens"),
""",
    ),
]
