# mutant: always prices with sim-large's price list, whatever model answered
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    profile = get_profile(reply.response_metadata["model_name"])
""",
        """\
    profile = get_profile("sim-large@2026-11")
""",
    ),
]
