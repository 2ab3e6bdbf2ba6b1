# mutant: a topic switch starts the topic afresh, so switching back loses its details (a summary that drops the order id)
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
            topic = named
            topics.setdefault(topic, {})
""",
        """\
            topic = named
            topics[topic] = {}
""",
    ),
]
