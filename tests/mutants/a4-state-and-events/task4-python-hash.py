# mutant: partitions with Python's hash(), which is salted per process
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    return zlib.crc32(key.encode("utf-8")) % partitions
""",
        """\
    return hash(key) % partitions
""",
    ),
]
