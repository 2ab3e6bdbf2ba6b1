"""The support-desk scenarios: customer messages with their ground truth.

``datasets/support_desk/scenarios.jsonl`` holds the scenarios (schema in its DATASHEET.md)
and ``world.json`` the world they happen in (customers, orders, products, knowledge base).
The simulated provider answers a request about a scenario from this ground truth (the
scenario oracle, docs/architecture.md), the tool world (:mod:`infralab.tools`) starts from
the world, and graders compare agents' tool calls with ``expected_tool_calls``.

Files are found under ``$INFRALAB_DATA_DIR/support_desk/`` when that variable is set, else in
the repository's ``datasets/support_desk/``. Introduced in lab ``00-orientation``; the
evaluation labs (track B) use the ``train`` split for development and the ``test`` split for
hidden grading.

Public corpora vendored with their licences (``datasets/bfcl``, ``datasets/agentdojo``,
``datasets/bastioncorpus``; see each DATASHEET.md): ``load_bfcl(category, split)`` for BFCL v4
irrelevance and missing-parameter/function cases, ``load_agentdojo_injections(split)`` for
AgentDojo v1's injection goals and vectors, ``load_injection_labels(split)`` for labelled
injections with benign hard negatives.

Example:
    >>> from infralab.datasets import load_scenarios, find_scenario
    >>> s = load_scenarios(split="train")[0]
    >>> find_scenario(s.message.upper()) is s
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infralab.datasets._corpora import (
    AGENTDOJO_ATTACKS,
    BFCL_CATEGORIES,
    AgentDojoInjection,
    AgentDojoVector,
    BfclCase,
    LabelledPrompt,
    corpus_source,
    load_agentdojo_injections,
    load_bfcl,
    load_injection_labels,
)
from infralab.datasets._loader import (
    DatasetError,
    Injection,
    Scenario,
    ToolCall,
    data_dir,
    dataset,
    world,
)
from infralab.datasets._schema import ROUTES, fold

__all__ = [
    "AGENTDOJO_ATTACKS",
    "BFCL_CATEGORIES",
    "AgentDojoInjection",
    "AgentDojoVector",
    "BfclCase",
    "LabelledPrompt",
    "corpus_source",
    "load_agentdojo_injections",
    "load_bfcl",
    "load_injection_labels",
    "ROUTES",
    "DatasetError",
    "Injection",
    "Scenario",
    "ToolCall",
    "data_dir",
    "find_scenario",
    "load_scenarios",
    "load_world",
]


def load_scenarios(
    path: str | Path | None = None, split: str | None = None
) -> tuple[Scenario, ...]:
    """All scenarios of a file, validated, in file order (cached per file).

    Args:
        path: a ``scenarios.jsonl``; its ``world.json`` is read from the same directory.
            Default: the support-desk dataset (see the module docstring).
        split: ``"train"`` or ``"test"`` to keep one split; None for all.

    Raises:
        DatasetError: a file is missing or a row is malformed; the message names the file,
            the line and the field.
    """
    data = dataset(None if path is None else Path(path))
    if split is None:
        return data.scenarios
    if split not in data.by_split:
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    return data.by_split[split]


def find_scenario(text: Any) -> Scenario | None:
    """The default dataset's scenario whose message is ``text``, case and whitespace folded.

    A dict lookup (the simulator calls this for every request). Anything that is not a
    string (e.g. a list of content blocks) matches nothing.
    """
    if not isinstance(text, str):
        return None
    return dataset(None).by_message.get(fold(text))


def load_world(path: str | Path | None = None) -> dict[str, Any]:
    """A fresh copy of ``world.json`` (customers, orders, products, kb) that the caller may mutate.

    Args:
        path: a ``world.json``; default: the support-desk dataset's.
    """
    return world(None if path is None else Path(path))
