"""``SimChatModel.bind`` / ``bind_tools`` return a ``RunnableBinding`` that behaves as LangChain's.

``infralab.llm._binding.SimBinding`` skips LangChain's per-call config merge when the merge is
a no-op (top-level call, no config, nothing bound in the binding's config). These tests check
that every way of calling it gives what LangChain's own binding gives: the same message, the
same callbacks with the same arguments (tags, metadata, invocation params, serialized model),
the same runs, and that LangChain's binding methods keep working.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.chat_models import _ChatModelBinding
from langchain_core.load import dumpd
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableBinding, RunnableLambda
from langchain_core.runnables.base import RunnableBindingBase
from langchain_core.tools import tool
from langchain_core.tracers.context import collect_runs
from pydantic import BaseModel

from infralab.clock import VirtualClock, use_clock
from infralab.llm import SimChatModel
from infralab.llm._binding import SimBinding


@tool
def lookup_order(order_id: str) -> str:
    """Look up an order by its id."""
    return order_id


@tool
def refund(order_id: str, amount: float) -> str:
    """Refund an order."""
    return order_id


class Ticket(BaseModel):
    """A support ticket."""

    title: str
    priority: int


PROMPT = [HumanMessage("Where is my order O1234? Please look it up.")]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _normalize(value: Any) -> str:
    """A text form with run ids numbered in order of appearance (they are random)."""
    seen: dict[str, str] = {}
    return UUID.sub(lambda m: seen.setdefault(m.group(0), f"<run{len(seen)}>"), repr(value))


def _untimed(value: Any) -> Any:
    if isinstance(value, datetime):
        return "<time>"
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "dotted_order"}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _run_record(run: Any) -> Any:
    """A traced run (and its children) without its wall-clock times."""
    return _untimed(run.model_dump())


class Recorder(BaseCallbackHandler):
    """Every chat-model and chain callback with all its arguments."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.events.append(("chat_model_start", (serialized, messages, sorted(kwargs.items()))))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.events.append(("llm_end", (response, sorted(kwargs.items()))))

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.events.append(("new_token", (token, sorted(kwargs.items()))))

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.events.append(("chain_start", (serialized, inputs, sorted(kwargs.items()))))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.events.append(("chain_end", (outputs, sorted(kwargs.items()))))


def _pair(**bind_kwargs: Any) -> tuple[Any, Any]:
    """Our binding and LangChain's plain RunnableBinding with the same model and kwargs."""
    ours = SimChatModel(seed=3).bind_tools([lookup_order, refund], **bind_kwargs)
    plain = RunnableBinding(bound=ours.bound, kwargs=dict(ours.kwargs), config={})
    assert type(plain) is RunnableBinding
    return ours, plain


def _configs(recorder: Recorder) -> list[Any]:
    return [
        None,
        {},
        {"callbacks": [recorder]},
        {
            "callbacks": [recorder],
            "tags": ["zeta", "alpha", "zeta"],  # LangChain's merge sorts and dedups them
            "metadata": {"user": "u1", "lc_versions": {"x": "1"}},
            "run_name": "my-model",
            "configurable": {"model": "m", "thread_id": "t1"},
            "recursion_limit": 7,
            "max_concurrency": 2,
        },
        {"callbacks": [recorder], "run_name": "", "tags": []},
    ]


def _run(runnable: Any, how: str, config: Any) -> Any:
    if how == "invoke":
        return runnable.invoke(PROMPT, config)
    if how == "ainvoke":
        return asyncio.run(runnable.ainvoke(PROMPT, config))
    if how == "batch":
        return runnable.batch([PROMPT, PROMPT[:1]], config)
    if how == "abatch":
        return asyncio.run(runnable.abatch([PROMPT, PROMPT[:1]], config))
    if how == "stream":
        return list(runnable.stream(PROMPT, config))
    if how == "astream":

        async def collect() -> list[Any]:
            return [c async for c in runnable.astream(PROMPT, config)]

        return asyncio.run(collect())
    if how == "nested":  # called from inside a chain: a config in the context
        return RunnableLambda(lambda x: runnable.invoke(x)).invoke(PROMPT, config)
    if how == "nested_async":

        async def inner(x: Any) -> Any:
            return await runnable.ainvoke(x)

        return asyncio.run(RunnableLambda(inner).ainvoke(PROMPT, config))
    raise AssertionError(how)


HOWS = ["invoke", "ainvoke", "batch", "abatch", "stream", "astream", "nested", "nested_async"]


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("config_index", range(5))
def test_outputs_and_callbacks_equal_langchains_binding(how, config_index):
    results = []
    for which in (0, 1):
        recorder = Recorder()
        runnable = _pair(tool_choice="lookup_order")[which]
        config = _configs(recorder)[config_index]
        with use_clock(VirtualClock()), collect_runs() as runs:
            out = _run(runnable, how, config)
        results.append(
            (
                _normalize(out),
                _normalize(recorder.events),
                _normalize([_run_record(r) for r in runs.traced_runs]),
            )
        )
    ours, plain = results
    assert ours[0] == plain[0]
    assert ours[1] == plain[1]
    assert ours[2] == plain[2]
    assert "tool_calls" in ours[0] or "tool_call_chunks" in ours[0]
    if config_index >= 2:
        assert ours[1], "the callbacks ran"


def _count_merges(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    original = RunnableBindingBase._merge_configs

    def counting(self: Any, *configs: Any) -> Any:
        calls[0] += 1
        return original(self, *configs)

    monkeypatch.setattr(RunnableBindingBase, "_merge_configs", counting)
    return calls


def test_merge_skipped_only_when_it_is_a_no_op(monkeypatch):
    calls = _count_merges(monkeypatch)
    ours, _ = _pair()
    with use_clock(VirtualClock()):
        ours.invoke(PROMPT)
        asyncio.run(ours.ainvoke(PROMPT))
        assert calls[0] == 0
        ours.invoke(PROMPT, {})  # a config given: LangChain's merge (it may sort tags, ...)
        assert calls[0] == 1
        RunnableLambda(lambda x: ours.invoke(x)).invoke(PROMPT)  # a config in the context
        assert calls[0] == 2
        ours.with_config(tags=["t"]).invoke(PROMPT)  # the binding carries a config
        assert calls[0] == 3
        ours.with_listeners(on_end=lambda run: None).invoke(PROMPT)  # a config factory
        assert calls[0] == 4
        # Bound to a RunnableRetry (itself a RunnableBindingBase, which merges once more).
        ours.with_retry(stop_after_attempt=2).invoke(PROMPT)
        assert calls[0] == 6


def test_is_langchains_chat_model_binding():
    ours, _ = _pair(tool_choice="required")
    assert isinstance(ours, SimBinding)
    assert isinstance(ours, RunnableBinding)
    assert isinstance(ours, _ChatModelBinding)
    assert isinstance(SimChatModel().bind(max_tokens=5), SimBinding)
    tools = ours.kwargs["tools"]
    assert [t["function"]["name"] for t in tools] == ["lookup_order", "refund"]
    assert ours.kwargs["tool_choice"] == "required"
    # Serialized and printed as the binding BaseChatModel.bind returns.
    reference = _ChatModelBinding(bound=ours.bound, kwargs=dict(ours.kwargs), config={})
    assert dumpd(ours) == dumpd(reference)
    assert repr(ours) == repr(reference)
    assert ours.get_name() == reference.get_name()


def test_binding_methods_keep_working():
    ours, plain = _pair()
    rebound = ours.bind(max_tokens=4)
    assert isinstance(rebound, SimBinding)
    assert rebound.kwargs["max_tokens"] == 4 and rebound.kwargs["tools"] is ours.kwargs["tools"]
    configured = ours.with_config(tags=["x"], metadata={"k": "v"})
    assert isinstance(configured, SimBinding)
    assert configured.config["tags"] == ["x"]
    retried = ours.with_retry(stop_after_attempt=2)
    assert isinstance(retried, SimBinding)
    with use_clock(VirtualClock()):
        expected = _normalize(plain.bind(max_tokens=4).invoke(PROMPT))
        assert _normalize(rebound.invoke(PROMPT)) == expected
        plain_out = _normalize(plain.invoke(PROMPT))
        assert _normalize(configured.invoke(PROMPT)) == plain_out
        assert _normalize(retried.invoke(PROMPT)) == plain_out


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_structured_output_through_the_binding(method):
    model = SimChatModel(seed=1)
    chain = model.with_structured_output(Ticket, method=method)
    with use_clock(VirtualClock()):
        got = chain.invoke("File a ticket: the printer is on fire, priority 1.")
        again = chain.invoke("File a ticket: the printer is on fire, priority 1.")
    assert isinstance(got, Ticket)
    assert got == again


def test_a_subclass_that_overrides_invoke_gets_the_merge(monkeypatch):
    calls = _count_merges(monkeypatch)
    seen: list[Any] = []

    class Custom(SimChatModel):
        def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> AIMessage:
            seen.append(config)
            return super().invoke(input, config, **kwargs)

    with use_clock(VirtualClock()):
        Custom().bind_tools([lookup_order]).invoke(PROMPT)
    assert calls[0] == 1
    assert seen == [{"tags": [], "metadata": {}, "configurable": {}}]
