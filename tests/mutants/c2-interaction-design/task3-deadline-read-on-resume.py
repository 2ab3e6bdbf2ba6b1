# mutant: reads the request time inside the confirm node, so a resume re-reads it
# replaces: task3-solution
# loses: task3
EDITS = [
    (
        """\
        expires_at = state["requested_at"] + CONFIRM_TIMEOUT
""",
        """\
        expires_at = current_clock().now() + CONFIRM_TIMEOUT
""",
    ),
]
