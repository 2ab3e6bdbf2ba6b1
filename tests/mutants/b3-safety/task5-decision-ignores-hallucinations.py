# mutant: the release decision never reads the hallucinated-call rate
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    if old["hallucinated_call"]["n"] == 0 or new["hallucinated_call"]["n"] == 0:
        reasons.append("no_data:hallucinated_call")
    elif new["hallucinated_call"]["low"] > old["hallucinated_call"]["high"]:
        reasons.append("hallucinated_call")
""",
        "",
    ),
]
