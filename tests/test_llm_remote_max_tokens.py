"""Does the trusted environment's model proxy forward an output cap set on the proxy itself?

``RemoteChatModel`` (infralab.grading.sandbox._env_client) sends each call's options to the trusted
side; a ``max_tokens`` set on the model (``model_copy(update=...)`` or attribute assignment,
like ``ChatOpenAI(max_tokens=...)``) must reach it too, and a call's own cap must still win.
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from infralab.grading import Environment
from infralab.grading.sandbox._env_client import ref

PROMPT = [HumanMessage("Please explain in detail how refunds, returns and exchanges work.")]


def _proxy(env: Environment, seed: int = 3):
    handle = env.model(seed=seed)
    return handle, ref(env.id, handle.id, handle.kind, handle._spec)


def test_max_tokens_on_the_proxy_reaches_the_trusted_model():
    env = Environment()
    handle, proxy = _proxy(env)
    free = proxy.invoke(PROMPT)
    assert free.usage_metadata["output_tokens"] > 5, "the uncapped reply must be longer than 5"
    capped_model = proxy.model_copy(update={"max_tokens": 5})
    capped = capped_model.invoke(PROMPT)
    assert capped.usage_metadata["output_tokens"] <= 5
    assert capped.response_metadata["finish_reason"] == "length"
    # The trusted log, not the proxy's report, says what the model produced.
    assert handle.log[-1]["output_tokens"] <= 5
    assert handle.log[0]["output_tokens"] == free.usage_metadata["output_tokens"]


def test_a_calls_own_cap_wins_over_the_proxys():
    env = Environment()
    handle, proxy = _proxy(env)
    capped_model = proxy.model_copy(update={"max_tokens": 5})
    reply = capped_model.bind(max_tokens=9).invoke(PROMPT)
    assert 5 < reply.usage_metadata["output_tokens"] <= 9
    reply = capped_model.bind(max_completion_tokens=7).invoke(PROMPT)
    assert 5 < reply.usage_metadata["output_tokens"] <= 7


def test_the_proxy_matches_the_simulator_with_the_same_cap():
    from infralab.llm import SimChatModel

    env = Environment()
    handle, proxy = _proxy(env, seed=3)
    capped = proxy.model_copy(update={"max_tokens": 6}).invoke(PROMPT)
    local = SimChatModel(profile=handle.model.sim_profile, seed=3, max_tokens=6, oracle=False)
    from infralab.clock import VirtualClock, use_clock

    with use_clock(VirtualClock()):
        expected = local.invoke(PROMPT)
    assert capped.content == expected.content
    assert capped.usage_metadata == expected.usage_metadata
