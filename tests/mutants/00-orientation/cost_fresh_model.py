# mutant: prices a fresh model of the same profile and seed instead of calling the one given
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    reply = model.invoke(prompt)
""",
        """\
    reply = SimChatModel(profile=model.sim_profile.id, seed=model.seed).invoke(prompt)
""",
    ),
]
