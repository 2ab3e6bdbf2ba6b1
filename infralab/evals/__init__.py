"""Agents under test and labelled judge data for the evaluation labs (track B).

Lab ``b1-behaviour-evals`` builds an evaluation suite; this package holds what the suite is
pointed at, so the notebook and its hidden tests evaluate the same things:

- :data:`AGENT_VERSIONS`: released versions of the support-desk agent, each a real
  ``langchain.agents.create_agent`` graph on a simulator profile (``v1`` on
  ``sim-large@2026-06``; the candidates ``v2`` on ``sim-large@2026-11`` and ``v2-lite`` on
  ``sim-small@2026-11``, whose documented behaviour shifts are what a regression gate catches);
- :func:`run_episode`: one scenario, one seed, a fresh :class:`~infralab.tools.SupportDesk`;
  returns plain data: the trajectory, the desk's own call and side-effect logs, the answer;
- :func:`trajectory_of` and :func:`expected_trajectory`: the tool-call trajectory of a run and
  the one a correct agent follows (``ask_user`` stands for a clarifying question);
- :func:`judge_pairs`: answer pairs with a known better answer, for calibrating
  :class:`~infralab.llm.SimJudge` (datasheet: datasets/judge_pairs/DATASHEET.md);
- :func:`log_suite_to_phoenix`: a suite's results as a Phoenix dataset with one experiment
  per agent version (scores, labels and explanations on every run), viewable in the Phoenix
  that ``make lab`` starts; :class:`PhoenixError` when there is none.

Introduced in lab ``b1-behaviour-evals``.

Example:
    >>> from infralab.datasets import load_scenarios
    >>> from infralab.evals import run_episode
    >>> episode = run_episode(load_scenarios(split="train")[2], version="v1", seed=0)
    >>> [step["name"] for step in episode["trajectory"]]
    ['lookup_order', 'track_shipment']
"""

from __future__ import annotations

from infralab.evals._agents import (
    AGENT_VERSIONS,
    ASK_USER,
    SIDE_EFFECT_TOOLS,
    SYSTEM_PROMPT,
    expected_trajectory,
    run_episode,
    stream_run,
    support_agent,
    trajectory_of,
)
from infralab.evals._judge_data import judge_pairs
from infralab.evals._phoenix import PhoenixError, log_suite_to_phoenix, phoenix_url

__all__ = [
    "AGENT_VERSIONS",
    "ASK_USER",
    "SIDE_EFFECT_TOOLS",
    "SYSTEM_PROMPT",
    "PhoenixError",
    "expected_trajectory",
    "judge_pairs",
    "log_suite_to_phoenix",
    "phoenix_url",
    "run_episode",
    "stream_run",
    "support_agent",
    "trajectory_of",
]
