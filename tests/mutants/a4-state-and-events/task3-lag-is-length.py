# mutant: reports the stream's length as the lag
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    return {"lag": int(info["lag"]), "pending": int(info["pending"])}
""",
        """\
    return {"lag": r.xlen(stream), "pending": int(info["pending"])}
""",
    ),
]
