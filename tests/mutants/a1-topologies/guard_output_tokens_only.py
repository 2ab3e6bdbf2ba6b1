# mutant: the token budget counts output tokens only
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        tokens = sum(c["input_tokens"] + c["output_tokens"] for c in calls)
""",
        """\
        tokens = sum(c["output_tokens"] for c in calls)
""",
    ),
    (
        """\



""",
        """\


""",
    ),
    (
        """\
    return max_hops + 3
""",
        """\
    return max_hops + 3
    ### END SOLUTION
""",
    ),
]
