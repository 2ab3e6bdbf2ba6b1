# mutant: merges G-counters by adding the counts, so a repeated merge counts twice
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        merged.counts = [max(a, b) for a, b in zip(self.counts, other.counts, strict=True)]
""",
        """\
        merged.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
""",
    ),
]
