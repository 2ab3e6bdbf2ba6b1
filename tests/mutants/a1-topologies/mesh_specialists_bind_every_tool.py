# mutant: the specialists get all of the desk's tools instead of their route's
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        workers[route] = Worker(route, model, desk.tools_for(route), handoffs=table[route])
""",
        """\
        workers[route] = Worker(route, model, desk.tools(), handoffs=table[route])
""",
    ),
]
