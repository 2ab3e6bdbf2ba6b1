# mutant: counts the opening request among the replies
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    replies = user_texts[1:]
""",
        """\
    replies = user_texts
""",
    ),
]
