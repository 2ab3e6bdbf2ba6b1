# mutant: builds the sequence by appending to the caller's path list
# replaces: task2-solution
# loses: task2
EDITS = [
    (
        """\
        seq = [*path, next_node]
""",
        """\
        seq = path
        seq.append(next_node)
""",
    ),
]
