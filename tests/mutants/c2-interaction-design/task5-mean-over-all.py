# mutant: averages turns over every conversation, not the resolved ones
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    mean_turns = sum(t["assistant_turns"] for t in resolved) / len(resolved) if resolved else None
""",
        """\
    mean_turns = sum(t["assistant_turns"] for t in transcripts) / n if resolved else None
""",
    ),
]
