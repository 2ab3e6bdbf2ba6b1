# mutant: the guard's path is a list kept in build_star's closure, so it grows across runs
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    def supervisor(state: RequestState) -> Command:
        choice, call = ask_router(model, state["messages"], [*ROUTES, "FINISH"], node="supervisor")
""",
        """\
    visited = []

    def supervisor(state: RequestState) -> Command:
        visited.append("supervisor")
        choice, call = ask_router(model, state["messages"], [*ROUTES, "FINISH"], node="supervisor")
""",
    ),
    (
        """\
            reason = guard([*state["path"], "supervisor"], choice, [*state["calls"], call])
""",
        """\
            reason = guard(list(visited), choice, [*state["calls"], call])
""",
    ),
    (
        """\
            result = workers[route].run(state["messages"])
""",
        """\
            visited.append(route)
            result = workers[route].run(state["messages"])
""",
    ),
]
