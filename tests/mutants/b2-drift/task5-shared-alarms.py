# mutant: the alarm list is a class attribute, shared by every monitor
# replaces: task5-solution
# loses: task5
EDITS = [
    (
        """\
        self.alarms = []  # per instance: a class-level list would be shared by every monitor
""",
        "",
    ),
    (
        """\
    @property
    def statistic(self) -> float:
""",
        """\
    alarms = []

    @property
    def statistic(self) -> float:
""",
    ),
]
