# mutant: on a flat history a drop is flagged as well as a rise
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
            if series[i] > median:  # a flat history: any rise is news
""",
        """\
            if series[i] != median:
""",
    ),
]
