# mutant: reads only the local replica once a quorum is reachable
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    stored = [v for v in (cluster.read_replica(via, p, key) for p in peers) if v is not None]
""",
        """\
    stored = [v for v in [cluster.read_replica(via, via, key)] if v is not None]
""",
    ),
]
