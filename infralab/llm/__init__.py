"""The simulated LLM provider: a LangChain chat model that runs offline on virtual time.

``SimChatModel`` answers from a script, from the scenario oracle (dataset ground truth bent
by the profile's error rates) or from deterministic free-text rules; it counts tokens, prices
calls, sleeps on the current clock and raises the faults a ``FaultPlan`` decides. Profiles
are versioned (``sim-large@2026-06``, ``sim-large@2026-11``) so that a model update can be
detected; a ``Rollout`` moves an alias to a new version at a virtual time (a silent update).
How the prompt moves the rates (spotlighting, structured-output method, route descriptions,
clarification and length instructions) is each family's ``behaviour_card()``
(docs/behaviour-cards.md). ``get_model()`` returns the simulator, or a real model when
``INFRALAB_MODEL`` is set. ``SimEmbeddings`` is a deterministic, offline LangChain ``Embeddings`` (lexical feature
hashing, no model download). Provider errors live in :mod:`infralab.llm.errors`.

Introduced in lab ``00-orientation``.

Example:
    >>> from infralab.llm import SimChatModel
    >>> reply = SimChatModel(profile="sim-small").invoke("Hello!")
    >>> reply.response_metadata["model_name"]
    'sim-small@2026-11'
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infralab.llm._byom import get_model
    from infralab.llm._card import BehaviourCard, Effect, behaviour_card
    from infralab.llm._catalog import ModelProfile, UnknownProfileError, get_profile, list_profiles
    from infralab.llm._embeddings import SimEmbeddings
    from infralab.llm._judge import SimJudge
    from infralab.llm._rollout import Rollout
    from infralab.llm._script import ScriptExhaustedError
    from infralab.llm._sim import SimChatModel
    from infralab.llm._tokens import count_message_tokens, count_tokens

# Names load on first use, so that `infralab.llm.errors` (imported by fault plans, breakers
# and the grader) does not pay for importing LangChain.
_LAZY = {
    "get_model": "infralab.llm._byom",
    "BehaviourCard": "infralab.llm._card",
    "Effect": "infralab.llm._card",
    "behaviour_card": "infralab.llm._card",
    "ModelProfile": "infralab.llm._catalog",
    "UnknownProfileError": "infralab.llm._catalog",
    "get_profile": "infralab.llm._catalog",
    "list_profiles": "infralab.llm._catalog",
    "SimEmbeddings": "infralab.llm._embeddings",
    "ScriptExhaustedError": "infralab.llm._script",
    "SimChatModel": "infralab.llm._sim",
    "SimJudge": "infralab.llm._judge",
    "Rollout": "infralab.llm._rollout",
    "count_message_tokens": "infralab.llm._tokens",
    "count_tokens": "infralab.llm._tokens",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'infralab.llm' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "SimChatModel",
    "SimEmbeddings",
    "SimJudge",
    "get_model",
    "get_profile",
    "list_profiles",
    "ModelProfile",
    "Rollout",
    "BehaviourCard",
    "Effect",
    "behaviour_card",
    "count_tokens",
    "count_message_tokens",
    "ScriptExhaustedError",
    "UnknownProfileError",
]
