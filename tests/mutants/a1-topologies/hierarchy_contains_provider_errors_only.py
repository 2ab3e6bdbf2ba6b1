# mutant: contains provider errors but lets a team's GraphRecursionError crash the run
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            except (ProviderError, GraphRecursionError) as exc:  # the bulkhead
""",
        """\
            except ProviderError as exc:  # the bulkhead
""",
    ),
]
