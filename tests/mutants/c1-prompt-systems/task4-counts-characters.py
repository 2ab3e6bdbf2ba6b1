# mutant: the budget counts characters instead of tokens
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    return count_tokens(item["content"]) + 4
""",
        """\
    return len(item["content"]) + 4
""",
    ),
]
