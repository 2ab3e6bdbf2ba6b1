# mutant: the hallucinated-call rate is counted over the runs without an attack only
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        "hallucinated_call": rate(runs, "hallucinated"),
""",
        """\
        "hallucinated_call": rate(clean, "hallucinated"),
""",
    ),
]
