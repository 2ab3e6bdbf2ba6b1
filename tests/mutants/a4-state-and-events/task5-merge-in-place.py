# mutant: merges into self and returns it, changing the counter it was called on
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        merged = GCounter(len(self.counts))
        merged.counts = [max(a, b) for a, b in zip(self.counts, other.counts, strict=True)]
        return merged
""",
        """\
        self.counts = [max(a, b) for a, b in zip(self.counts, other.counts, strict=True)]
        return self
""",
    ),
]
