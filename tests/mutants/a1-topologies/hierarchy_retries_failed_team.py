# mutant: a failed team goes back to the director, which sends it again
# replaces: task4-solution
# loses: task4
def build_team(team, model, desk):
    """A team: a lead that routes among the team's specialists, as a small star."""
    lead_name = f"{team}_lead"
    routes = TEAMS[team]
    workers = {route: Worker(route, model, desk.tools_for(route)) for route in routes}

    def lead(state: RequestState) -> Command:
        choice, call = ask_router(model, state["messages"], [*routes, "FINISH"], node=lead_name)
        update = {"path": [lead_name], "calls": [call]}
        return Command(goto=END if choice == "FINISH" else choice, update=update)

    def specialist(route):
        def node(state: RequestState) -> dict:
            result = workers[route].run(state["messages"])
            return {"messages": result.messages, "path": [route], "calls": result.calls}

        return node

    g = StateGraph(RequestState)
    g.add_node(lead_name, lead, destinations=(*routes, END))
    for route in routes:
        g.add_node(route, specialist(route))
        g.add_edge(route, lead_name)
    g.add_edge(START, lead_name)
    return g.compile()


def build_hierarchy(top_model, team_models, desk, guard=None):
    """A director over team leads; a failing team escalates instead of crashing the run."""
    teams = {team: build_team(team, team_models[team], desk) for team in TEAMS}

    def director(state: RequestState) -> Command:
        choice, call = ask_router(
            top_model, state["messages"], [*ROUTES, "FINISH"], node="director"
        )
        update = {"path": ["director"], "calls": [call]}
        if choice == "FINISH":
            return Command(goto=END, update={**update, "status": "done"})
        team = TEAM_OF[choice]
        if guard is not None:
            reason = guard([*state["path"], "director"], team, [*state["calls"], call])
            if reason:
                return Command(goto=ESCALATE, update={**update, "reason": reason})
        return Command(goto=team, update=update)

    def team_node(team):
        def node(state: RequestState) -> Command:
            before = len(state["messages"])
            try:
                out = teams[team].invoke(
                    {"messages": state["messages"], "path": [], "calls": []},
                    {"recursion_limit": 12},
                )
            except (ProviderError, GraphRecursionError) as exc:  # the bulkhead
                reason = f"team_failure: {team}: {type(exc).__name__}"
                return Command(goto="director", update={"reason": reason})
            update = {
                "messages": out["messages"][before:],
                "path": out["path"],
                "calls": out["calls"],
            }
            return Command(goto="director", update=update)

        return node

    g = StateGraph(RequestState)
    g.add_node("director", director, destinations=(*TEAMS, ESCALATE, END))
    for team in TEAMS:
        g.add_node(team, team_node(team), destinations=("director", ESCALATE))
    g.add_node(ESCALATE, escalate)
    g.add_edge(START, "director")
    g.add_edge(ESCALATE, END)
    return g.compile()
    ### END SOLUTION
