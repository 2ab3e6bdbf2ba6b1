# mutant: a team's provider error propagates and crashes the run
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            except (ProviderError, GraphRecursionError) as exc:  # the bulkhead
""",
        """\
            except GraphRecursionError as exc:  # the bulkhead
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
