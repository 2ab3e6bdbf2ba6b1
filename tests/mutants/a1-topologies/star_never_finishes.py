# mutant: the supervisor's router has no FINISH option, so it never ends the run
# replaces: task1-solution
# loses: task1
def build_star(model, desk, guard=None):
    """A supervisor that routes each request to one of four specialists and ends the run."""
    workers = {route: Worker(route, model, desk.tools_for(route)) for route in ROUTES}

    def supervisor(state: RequestState) -> Command:
        choice, call = ask_router(model, state["messages"], list(ROUTES), node="supervisor")
        update = {"path": ["supervisor"], "calls": [call]}
        if choice == "FINISH":
            return Command(goto=END, update={**update, "status": "done"})
        if guard is not None:
            # the guard judges the run as it would be after this turn
            reason = guard([*state["path"], "supervisor"], choice, [*state["calls"], call])
            if reason:
                return Command(goto=ESCALATE, update={**update, "reason": reason})
        return Command(goto=choice, update=update)

    def specialist(route):
        def node(state: RequestState) -> dict:
            result = workers[route].run(state["messages"])
            return {"messages": result.messages, "path": [route], "calls": result.calls}

        return node

    g = StateGraph(RequestState)
    g.add_node("supervisor", supervisor, destinations=(*ROUTES, ESCALATE, END))
    for route in ROUTES:
        g.add_node(route, specialist(route))
        g.add_edge(route, "supervisor")
    g.add_node(ESCALATE, escalate)
    g.add_edge(START, "supervisor")
    g.add_edge(ESCALATE, END)
    return g.compile()
    ### END SOLUTION
