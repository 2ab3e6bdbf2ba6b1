# mutant: asks the model a throwaway question first, to learn which profile it is
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    profile = get_profile(reply.response_metadata["model_name"])
""",
        """\
    profile = get_profile(model.invoke("ping").response_metadata["model_name"])
""",
    ),
]
