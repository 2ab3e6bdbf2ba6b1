# mutant: copies the price the simulator reports instead of computing it (real providers send none)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        "cost_usd": cost,
""",
        """\
        "cost_usd": reply.response_metadata["cost_usd"],
""",
    ),
]
