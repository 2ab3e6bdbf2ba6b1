"""The defended support agent for lab ``b3-safety``: where a learner's guards plug in.

An injection defence or a tool-permission policy is only as good as the place it runs. This
package puts the learner's functions where a production agent puts them, in the tool step of a
real ``langchain.agents.create_agent`` graph (an ``@wrap_tool_call`` middleware):

- :func:`defended_agent`: the support agent with every desk tool, plus two optional hooks:
  ``permit(call, messages, customer_id) -> {"allowed": bool, ...}`` runs before a tool executes
  (a blocked call never reaches the desk; the model gets an error result instead), and
  ``wrap_tool_output(text) -> str`` rewrites every tool result before the model reads it
  (spotlighting, datamarking);
- :func:`run_defended`: one scenario, one model, a desk; returns plain data (trajectory, the
  desk's own call and side-effect logs, the calls the policy blocked, the answer);
- :func:`play_bfcl`: a BFCL multi-turn case (missing parameter, missing function) played turn
  by turn, each proposed call judged by an ambiguity hook first; per turn, whether BFCL's
  ground truth wanted no call and whether the agent asked (:func:`bfcl_state` is the
  environment text the hook may check values against);
- :func:`run_record` and :func:`bfcl_records`: runs and played BFCL turns as the records a
  safety scorecard counts (attacked, attack succeeded, task done, ambiguous, asked, refused,
  hallucinated), read from the desk's own log and the ground truth;
- :data:`SENSITIVE_TOOLS`: the tools that change the desk's state; :data:`IDENTIFIER_ARGS`:
  the arguments whose values name something in the desk's world.

Introduced in lab ``b3-safety``; the agent itself is :func:`infralab.evals.support_agent`'s,
with the same tools and system prompt unless told otherwise.

Example:
    >>> from infralab.datasets import load_scenarios
    >>> from infralab.llm import SimChatModel
    >>> from infralab.safety import run_defended
    >>> s = load_scenarios(split="train")[2]
    >>> run = run_defended(s, SimChatModel(profile="sim-large@2026-11", seed=0))
    >>> [step["name"] for step in run["trajectory"]]
    ['lookup_order', 'track_shipment']
"""

from __future__ import annotations

from infralab.safety._agent import (
    BLOCKED_MESSAGE,
    SENSITIVE_TOOLS,
    defended_agent,
    message_dicts,
    run_defended,
)
from infralab.safety._bfcl import bfcl_state, play_bfcl
from infralab.safety._records import IDENTIFIER_ARGS, bfcl_records, hallucinated, run_record

__all__ = [
    "BLOCKED_MESSAGE",
    "IDENTIFIER_ARGS",
    "SENSITIVE_TOOLS",
    "bfcl_records",
    "bfcl_state",
    "defended_agent",
    "hallucinated",
    "message_dicts",
    "play_bfcl",
    "run_defended",
    "run_record",
]
