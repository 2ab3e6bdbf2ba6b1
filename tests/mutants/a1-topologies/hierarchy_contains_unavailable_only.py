# mutant: the bulkhead catches the outage's 503 (ServiceUnavailableError), not every provider error
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
            except (ProviderError, GraphRecursionError) as exc:  # the bulkhead
""",
        """\
            except (ServiceUnavailableError, GraphRecursionError) as exc:  # the bulkhead
""",
    ),
    (
        """\
def build_hierarchy(top_model, team_models, desk, guard=None):
""",
        """\
from infralab.llm.errors import ServiceUnavailableError


def build_hierarchy(top_model, team_models, desk, guard=None):
""",
    ),
]
