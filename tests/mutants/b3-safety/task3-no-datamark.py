# mutant: delimits untrusted text but does not datamark it
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
    return "<<" + marker.join(text.split()) + ">>"
""",
        """\
    return "<<" + text + ">>"
""",
    ),
]
