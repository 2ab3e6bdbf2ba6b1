"""The simulator's shortcuts around LangChain's per-call machinery give LangChain's own answers.

``SimChatModel`` overrides ``_get_invocation_params`` and ``_get_ls_params`` and stores the
signatures of ``_generate`` / ``_agenerate`` (benchmarks/bench_llm_paths.py: they cost a
third of a call). These tests compare each shortcut with what ``BaseChatModel`` computes, so a
LangChain upgrade that changes the defaults shows up here.
"""

from __future__ import annotations

import inspect
import types

import pytest
from langchain_core.language_models.chat_models import BaseChatModel

from infralab.llm import SimChatModel
from infralab.llm._sim import PROVIDER

CALL_KWARGS = [
    {},
    {"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "required"},
    {"max_tokens": 7, "temperature": 0.2},
    {"model": "other-model", "max_tokens": None},
    {"max_completion_tokens": 9, "temperature": "hot"},
]


@pytest.mark.parametrize("kwargs", CALL_KWARGS)
@pytest.mark.parametrize("stop", [None, [], ["\n\n"]])
@pytest.mark.parametrize("model", [SimChatModel(), SimChatModel(seed=4, max_tokens=50)])
def test_invocation_and_ls_params_match_langchains_defaults(model, stop, kwargs):
    assert model._get_invocation_params(stop=stop, **kwargs) == (
        BaseChatModel._get_invocation_params(model, stop=stop, **kwargs)
    )
    expected = dict(BaseChatModel._get_ls_params(model, stop=stop, **kwargs))
    # What SimChatModel always said on top of LangChain's default: its provider and model.
    expected.update(ls_provider=PROVIDER, ls_model_name=model.model_name)
    got = model._get_ls_params(stop=stop, **kwargs)
    assert got == expected
    assert list(got) == list(expected)  # same keys in the same order (trace metadata)


@pytest.mark.parametrize("name", ["_generate", "_agenerate"])
def test_stored_signatures_are_the_methods_own(name):
    method = getattr(SimChatModel(), name)
    function = getattr(SimChatModel, name)
    assert "__signature__" in vars(function), "the signature is stored on the function"
    stored = inspect.signature(method)
    # A fresh function on the same code, without the stored attribute: what inspect computes.
    fresh = types.FunctionType(
        function.__code__, function.__globals__, name, function.__defaults__, function.__closure__
    )
    fresh.__annotations__ = function.__annotations__
    fresh.__kwdefaults__ = function.__kwdefaults__
    assert "__signature__" not in vars(fresh)
    computed = inspect.signature(types.MethodType(fresh, SimChatModel()))
    assert str(stored) == str(computed)
    assert "run_manager" in stored.parameters  # what LangChain looks the signature up for


def test_a_subclass_that_overrides_generate_keeps_its_own_signature():
    class Custom(SimChatModel):
        def _generate(self, messages, stop=None, **kwargs):  # no run_manager
            return super()._generate(messages, stop=stop, **kwargs)

    assert "run_manager" not in inspect.signature(Custom()._generate).parameters
    assert Custom(script=["hi"]).invoke("hello").content == "hi"
