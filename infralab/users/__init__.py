"""Simulated users for multi-turn labs: customers driven by a scenario's ground truth.

A :class:`SimulatedUser` opens with a scenario's message and answers an agent turn by turn:
it gives the details it holds when asked (an ambiguous request holds one back until the
agent asks its clarifying question), is sometimes vague, sometimes changes its mind (its
``goal``, the multi-turn ground truth, follows), and gives up after ``patience`` turns that
did not progress. Every choice is a blake2b draw of (scenario id, seed, turn, purpose), so a
conversation replays the same in any process. :func:`run_conversation` alternates an agent
(a LangGraph graph, a chat model or a plain function) and a user and returns a transcript as
plain data. Rates and rules are in the :class:`SimulatedUser` docstring and
docs/architecture.md.

Meant for the multi-turn labs (``c2-interaction-design``, the evaluation labs of track B).

Example:
    >>> from infralab.users import SimulatedUser, run_conversation
    >>> user = SimulatedUser("sd-0055", seed=3, vagueness=0.0, changes_mind=0.0)
    >>> ask = lambda messages: user.scenario.clarifying_question
    >>> run_conversation(ask, user, max_turns=2)["messages"][2]["content"]
    "It's order O10145."
"""

from infralab.users._conversation import DEFAULT_MAX_TURNS, run_conversation
from infralab.users._goal import UserGoal, derive_goal
from infralab.users._user import (
    DEFAULT_CHANGES_MIND,
    DEFAULT_PATIENCE,
    DEFAULT_VAGUENESS,
    SimulatedUser,
    asked_slots,
)

__all__ = [
    "SimulatedUser",
    "UserGoal",
    "run_conversation",
    "derive_goal",
    "asked_slots",
    "DEFAULT_VAGUENESS",
    "DEFAULT_CHANGES_MIND",
    "DEFAULT_PATIENCE",
    "DEFAULT_MAX_TURNS",
]
