# mutant: specialists cannot hand back to triage
# replaces: task3-solution
# loses: task3
# MESH_TRANSITIONS: each agent's name -> the list of agents it may hand off to
MESH_TRANSITIONS = {"triage": list(ROUTES)}
for _route in ROUTES:
    MESH_TRANSITIONS[_route] = [r for r in ROUTES if r != _route]


def build_mesh(model, desk, guard=None):
    """Agents that answer or hand the request to a peer; a guard checks every handoff."""
    workers = {"triage": Worker("triage", model, [], handoffs=ROUTES)}
    for route in ROUTES:
        workers[route] = Worker(
            route, model, desk.tools_for(route), handoffs=MESH_TRANSITIONS[route]
        )

    def agent(name):
        def node(state: RequestState) -> Command:
            result = workers[name].run(state["messages"])
            update = {"messages": result.messages, "path": [name], "calls": result.calls}
            if result.handoff is None:
                return Command(goto=END, update={**update, "status": "done"})
            if guard is not None:
                reason = guard(
                    [*state["path"], name], result.handoff, [*state["calls"], *result.calls]
                )
                if reason:
                    return Command(goto=ESCALATE, update={**update, "reason": reason})
            return Command(goto=result.handoff, update=update)

        return node

    g = StateGraph(RequestState)
    for name, targets in MESH_TRANSITIONS.items():
        g.add_node(name, agent(name), destinations=(*targets, ESCALATE, END))
    g.add_node(ESCALATE, escalate)
    g.add_edge(START, "triage")
    g.add_edge(ESCALATE, END)
    return g.compile()
    ### END SOLUTION
