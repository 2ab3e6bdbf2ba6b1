# mutant: acknowledges before handling: a failed ticket is never redelivered
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        try:
            handle(json.loads(fields["ticket"]))
        except Exception:
            done["failed"].append(entry_id)  # stays pending: redelivered after min_idle_ms
            continue
        r.xack(stream, group, entry_id)  # only after the effect
""",
        """\
        r.xack(stream, group, entry_id)
        try:
            handle(json.loads(fields["ticket"]))
        except Exception:
            done["failed"].append(entry_id)
            continue
""",
    ),
]
