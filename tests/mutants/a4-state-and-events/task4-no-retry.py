# mutant: gives up at the first WatchError instead of reading again
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            except redis.WatchError:
                continue  # someone wrote in between: read again
""",
        """\
            except redis.WatchError:
                break
""",
    ),
]
