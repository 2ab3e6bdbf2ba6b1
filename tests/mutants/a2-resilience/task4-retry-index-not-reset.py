# mutant: numbers retries across the whole request instead of starting again at 0 on each route
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        queue = list(self.routes)
        while queue:
            route = queue.pop(0)
            calls = 0
""",
        """\
        queue = list(self.routes)
        retries_so_far = 0
        while queue:
            route = queue.pop(0)
            calls = 0
""",
    ),
    (
        """\
                    pause = self.delay(calls - 1, err)
""",
        """\
                    pause = self.delay(retries_so_far, err)
                    retries_so_far += 1
""",
    ),
]
