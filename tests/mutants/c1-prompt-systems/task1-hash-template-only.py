# mutant: the content hash covers the template but not the variable schema
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    canonical = json.dumps({"template": template, "variables": schema}, sort_keys=True)
""",
        """\
    canonical = json.dumps({"template": template}, sort_keys=True)
""",
    ),
]
