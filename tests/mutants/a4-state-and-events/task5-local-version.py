# mutant: takes the next version from the local replica only
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    stored = [cluster.read_replica(via, p, key) for p in peers]
""",
        """\
    stored = [cluster.read_replica(via, via, key)]
""",
    ),
]
