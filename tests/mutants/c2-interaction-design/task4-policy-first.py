# mutant: checks the policy before the user's request for a person
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    if any(HUMAN_REQUEST.search(text) for text in user_texts):
        return "user_asked"
    if intent in POLICY_HANDOVER:
        return "policy"
""",
        """\
    if intent in POLICY_HANDOVER:
        return "policy"
    if any(HUMAN_REQUEST.search(text) for text in user_texts):
        return "user_asked"
""",
    ),
]
