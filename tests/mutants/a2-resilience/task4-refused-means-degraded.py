# mutant: gives the degraded answer when a breaker refuses, instead of trying the next route
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
                    )
                    break
""",
        """\
                    )
                    return degraded()
""",
    ),
]
