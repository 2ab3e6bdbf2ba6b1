# mutant: tokens per resolution counts only the resolved requests' tokens
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
    return sum(r["tokens"] for r in requests.values()) / len(done)
""",
        """\
    return sum(requests[trace_id]["tokens"] for trace_id in done) / len(done)
""",
    ),
]
