# mutant: the hash serialises the schema in its insertion order (no sort_keys)
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
    canonical = json.dumps({"template": template, "variables": schema}, sort_keys=True)
""",
        """\
    canonical = json.dumps({"template": template, "variables": schema})
""",
    ),
]
