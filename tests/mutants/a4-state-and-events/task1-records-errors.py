# mutant: records rejected calls too, so a corrected retry under the same key never runs
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
        if not output.startswith("Error:"):  # a rejected call changed nothing: let it be retried
            self.r.set(self.prefix + key, output)
""",
        """\
        self.r.set(self.prefix + key, output)
""",
    ),
]
