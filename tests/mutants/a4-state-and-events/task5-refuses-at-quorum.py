# mutant: refuses when exactly a quorum is reachable (<= instead of <)
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if len(peers) < quorum_size(cluster.n):
        return False
""",
        """\
    if len(peers) <= quorum_size(cluster.n):
        return False
""",
    ),
]
