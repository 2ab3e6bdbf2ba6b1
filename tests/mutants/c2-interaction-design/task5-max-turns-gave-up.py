# mutant: counts a conversation stopped at max_turns as given up
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    gave_up = sum(1 for t in transcripts if t["outcome"] == "gave_up")
""",
        """\
    gave_up = sum(1 for t in transcripts if t["outcome"] != "resolved")
""",
    ),
]
