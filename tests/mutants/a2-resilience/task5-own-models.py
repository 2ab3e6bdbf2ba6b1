# mutant: builds its own simulator models instead of asking get_model: they are not the incident's
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    routes = [
        Route("primary", get_model("sim-large@2026-11"), breaker("primary")),
""",
        """\
    def get_model(profile):  # noqa: F811 - the learner's own models, outside the incident
        return SimChatModel(profile=profile)

    routes = [
        Route("primary", get_model("sim-large@2026-11"), breaker("primary")),
""",
    ),
]
