# mutant: the bulkhead catches every exception, so a bug looks like a team failure
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            except (ProviderError, GraphRecursionError) as exc:  # the bulkhead
""",
        """\
            except Exception as exc:  # the bulkhead
""",
    ),
]
