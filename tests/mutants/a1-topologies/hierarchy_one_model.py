# mutant: every team runs on the director's model
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    teams = {team: build_team(team, team_models[team], desk) for team in TEAMS}
""",
        """\
    teams = {team: build_team(team, top_model, desk) for team in TEAMS}
""",
    ),
    (
        """\
    g.add_edge(ESCALATE, END)
    return g.compile()
""",
        """\
    g.add_edge(ESCALATE, END)
    return g.compile()
    ### END SOLUTION
""",
    ),
]
