# mutant: files a message's details before switching to the topic the message names
# replaces: task6-solution
# loses: task6
EDITS = [
    (
        """\
        named = topic_of(m["content"])
        if named is not None:
            # Switch first: the details of this message belong to the topic it names.
            topic = named
            topics.setdefault(topic, {})
        details = extract_slots(m["content"])
        if details:
            topics.setdefault(topic, {}).update(details)
""",
        """\
        details = extract_slots(m["content"])
        if details:
            topics.setdefault(topic, {}).update(details)
        named = topic_of(m["content"])
        if named is not None:
            topic = named
            topics.setdefault(topic, {})
""",
    ),
]
