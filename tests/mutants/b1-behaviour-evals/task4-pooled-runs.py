# mutant: suite pass^k from all runs pooled, not the mean of the scenarios' estimates
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
        "pass_hat_k": sum(hat_k) / len(hat_k),
""",
        """\
        "pass_hat_k": pass_hat_k(
            runs, sum(sum(1 for o in outcomes if o) for outcomes in results.values()), k
        ),
""",
    ),
]
