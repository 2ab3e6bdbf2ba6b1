"""``get_model``: the simulator by default, your own model with ``INFRALAB_MODEL``."""

from __future__ import annotations

import os
import warnings
from typing import Any

from langchain_core.language_models import BaseChatModel

from infralab.llm._catalog import ModelProfile
from infralab.llm._sim import DEFAULT_PROFILE, SimChatModel

__all__ = ["get_model", "ENV_VAR"]

#: The environment variable that swaps the simulator for a real model: ``provider:model``.
ENV_VAR = "INFRALAB_MODEL"

# Arguments that only the simulator understands; a real model would reject them.
_SIM_ONLY = ("seed", "script", "fault_plan", "oracle")


def _use_real_time() -> None:
    from infralab.clock import RealClock, VirtualClock, current_clock, set_clock

    if isinstance(current_clock(), VirtualClock):
        set_clock(RealClock())
        warnings.warn(
            f"{ENV_VAR} is set: switched the default clock to real time (RealClock), because "
            "a real model's latency is real. Virtual-time drills need the simulator.",
            stacklevel=3,
        )


def get_model(profile: str | ModelProfile | None = None, **kwargs: Any) -> BaseChatModel:
    """The chat model a lab should use.

    Without ``INFRALAB_MODEL`` set, a :class:`SimChatModel` for ``profile`` (default
    ``"sim-large@2026-11"``) built with ``kwargs``. With ``INFRALAB_MODEL="provider:model"``
    (for example ``openai:gpt-4o-mini``), LangChain's ``init_chat_model`` builds that model
    (install the ``byom`` extra); simulator-only arguments (``seed``, ``script``,
    ``fault_plan``, ``oracle``) and ``profile`` are dropped with a warning. Grading always
    uses the simulator: the grader runs notebooks without ``INFRALAB_MODEL``.

    Args:
        profile: a simulator profile id or name, or a :class:`ModelProfile`.
        **kwargs: more ``SimChatModel`` fields, or ``init_chat_model`` arguments.

    With a real model the process's default clock becomes a :class:`~infralab.clock.RealClock`
    (once, with a warning): a real model takes real time, and breakers, budgets and spans
    must measure that time, not a virtual clock that nothing advances.

    Raises:
        ValueError: ``INFRALAB_MODEL`` is set but not of the form ``provider:model``.

    Introduced in lab ``00-orientation``.
    """
    spec = os.environ.get(ENV_VAR, "").strip()
    if not spec:
        # ``profile`` goes through SimChatModel's validator, which maps our profiles onto
        # model_name (the declared field of that name is LangChain's capability dict).
        return SimChatModel(**{"profile": profile or DEFAULT_PROFILE, **kwargs})
    provider, sep, model = spec.partition(":")
    if not sep or not provider.strip() or not model.strip():
        raise ValueError(
            f"{ENV_VAR} must look like 'provider:model' (e.g. 'openai:gpt-4o-mini'), got {spec!r}"
        )
    dropped = [k for k in _SIM_ONLY if k in kwargs] + (["profile"] if profile else [])
    if dropped:
        warnings.warn(
            f"{ENV_VAR}={spec} uses a real model; ignoring simulator-only arguments: "
            + ", ".join(dropped),
            stacklevel=2,
        )
    rest = {k: v for k, v in kwargs.items() if k not in _SIM_ONLY}
    _use_real_time()
    from langchain.chat_models import init_chat_model

    return init_chat_model(model.strip(), model_provider=provider.strip(), **rest)
