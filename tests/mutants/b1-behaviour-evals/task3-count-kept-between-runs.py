# mutant: at_most counts in the factory's scope, so calls add up across trajectories
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    def check(trajectory):
        seen = 0
        for i, step in enumerate(trajectory):
            if step["name"] == name:
                seen += 1
                if seen > n:
                    return i
        return None
""",
        """\
    seen = [0]

    def check(trajectory):
        for i, step in enumerate(trajectory):
            if step["name"] == name:
                seen[0] += 1
                if seen[0] > n:
                    return i
        return None
""",
    ),
]
