# mutant: every specialist gets all of the desk's tools instead of its route's
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    workers = {route: Worker(route, model, desk.tools_for(route)) for route in ROUTES}
""",
        """\
    workers = {route: Worker(route, model, desk.tools()) for route in ROUTES}
""",
    ),
]
