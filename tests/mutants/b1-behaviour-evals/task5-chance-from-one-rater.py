# mutant: chance agreement from the first rater's label shares alone
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
    expected = sum(count1[label] * count2[label] for label in set(rater1) | set(rater2)) / n**2
""",
        """\
    expected = sum(count1[label] ** 2 for label in set(rater1) | set(rater2)) / n**2
""",
    ),
]
