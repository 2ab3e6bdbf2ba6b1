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


# -- what a binding's tools and options are read into once ----------------------------------

TOOL_DICTS = [
    {
        "type": "function",
        "function": {
            "name": "transfer_to_billing",
            "description": "Hand off to billing.",
            "parameters": {"type": "object", "properties": {}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "route",
            "parameters": {
                "type": "object",
                "properties": {"team": {"type": "string", "enum": ["billing", "shipping"]}},
                "required": ["team"],
            },
        },
    },
    {"type": "function", "function": {"name": "bare"}},
]


def test_bound_tools_is_read_once_per_list_and_again_when_it_changes():
    from infralab.llm._request import bound_tools

    tools = list(TOOL_DICTS)
    entry = bound_tools(tools)
    assert entry is not None and bound_tools(tools) is entry
    assert bound_tools([]) is None and bound_tools(None) is None
    assert entry.kept == TOOL_DICTS
    assert list(entry.params) == ["transfer_to_billing", "route", "bare"]
    assert entry.params["bare"] == {"type": "object", "properties": {}}
    assert bound_tools(tuple(tools)) is not entry  # another object: its own entry
    tools.append({"type": "function", "function": {"name": "extra"}})
    changed = bound_tools(tools)
    assert changed is not entry and "extra" in changed.params
    tools[0] = dict(tools[0])  # an equal but different dict: read afresh
    assert bound_tools(tools) is not changed


def test_requests_get_copies_of_the_bound_tools():
    from langchain_core.messages import HumanMessage

    from infralab.llm._request import Request, bound_tools

    tools = list(TOOL_DICTS)
    req = Request.build([HumanMessage("hi")], tools=tools, tool_choice="required")
    assert req.bound is bound_tools(tools)
    assert req.tools == TOOL_DICTS and req.tools is not req.bound.kept
    assert req.params == req.bound.params and req.params is not req.bound.params
    req.params.pop("route")
    assert "route" in Request.build([HumanMessage("hi")], tools=tools).params
    one = Request.build([HumanMessage("hi")], tools=TOOL_DICTS[2:], tool_choice="required")
    assert one.forced == "bare" and one.must_call
    named = Request.build([HumanMessage("hi")], tools=tools, tool_choice="route")
    assert named.forced == "route"
    assert Request.build([HumanMessage("hi")], tool_choice="route").forced is None


def test_tools_digest_and_routing_equal_a_fresh_computation():
    import hashlib

    from infralab.llm._draw import canonical
    from infralab.llm._oracle import _routing, _routing_of
    from infralab.llm._request import Request, bound_tools
    from infralab.llm._sim import _tools_digest
    from infralab.llm._tokens import count_tokens

    tools = list(TOOL_DICTS)
    text = canonical(TOOL_DICTS)
    expected = (hashlib.blake2b(text.encode(), digest_size=16).hexdigest(), count_tokens(text))
    assert _tools_digest(bound_tools(tools)) == expected
    assert _tools_digest(bound_tools(tools)) == expected  # from the memo
    assert _tools_digest(None) == ("", 0)
    req = Request.build([], tools=tools)
    handoffs, routers = _routing_of(req)
    assert (handoffs, routers) == _routing(dict(req.params))
    assert handoffs == {"transfer_to_billing": "billing"} and routers == ("route",)
    handoffs["x"] = None  # callers get a copy
    assert _routing_of(req)[0] == {"transfer_to_billing": "billing"}


def test_options_text_is_canonical_and_follows_the_objects():
    from infralab.llm._draw import canonical
    from infralab.llm._request import bound_tools
    from infralab.llm._sim import _options_text

    entry = bound_tools(list(TOOL_DICTS))
    choice = {"type": "function", "function": {"name": "route"}}
    assert _options_text(entry, None, None, None) == ""
    assert _options_text(entry, choice, None, None) == canonical([choice, None, None])
    assert _options_text(entry, choice, None, None) == canonical([choice, None, None])
    assert _options_text(entry, "required", None, None) == canonical(["required", None, None])
    fmt = {"type": "json_object"}
    assert _options_text(None, None, fmt, {}) == canonical([None, fmt, {}])


def test_kept_draws_equal_fresh_draws():
    from infralab.llm._draw import Draws, KeptDraws
    from infralab.llm._oracle import _scenario_draws, _step_draws

    kept, fresh = KeptDraws("p", "0", b"k"), Draws("p", "0", b"k")
    for _ in range(2):  # the second time from the memo
        for purpose in ("a", "latency", "misroute"):
            assert kept.uniform(purpose) == fresh.uniform(purpose)
            assert kept.hex(purpose) == fresh.hex(purpose)
            assert kept.index(purpose, 7) == fresh.index(purpose, 7)
            assert kept.chance(purpose, 0.5) == fresh.chance(purpose, 0.5)
    assert kept.key == fresh.key
    assert kept.child("x").uniform("y") == fresh.child("x").uniform("y")
    scenario = Draws("sim-small@1", "3", "scenario", "s-1")
    assert _scenario_draws("sim-small@1", 3, "s-1").key == scenario.key
    assert _step_draws("sim-small@1", 3, "s-1", 2).key == scenario.child("step", "2").key


def _reference_prompt_schema(messages):
    """What ``_prompt_schema`` computed before its single-pass form."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from infralab.llm._features import prompt_json_schema
    from infralab.llm._request import text_of

    parts = [m.content for m in messages if isinstance(m, SystemMessage)]
    last = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    if last is not None:
        parts.append(last.content)
    text = "\n".join(text_of(p) for p in parts)
    return prompt_json_schema(text) if "json" in text.casefold() else None


def test_prompt_schema_equals_the_reference():
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    from infralab.llm._sim import _prompt_schema

    json_ask = 'Reply in JSON with the keys "answer" and "confidence".'
    cases = [
        [],
        [HumanMessage("hi")],
        [HumanMessage(json_ask)],
        [SystemMessage(json_ask), HumanMessage("What is the refund policy?")],
        [SystemMessage("Be brief."), SystemMessage(json_ask), HumanMessage("hi")],
        [HumanMessage(json_ask), AIMessage("ok"), HumanMessage("and now?")],
        [HumanMessage("first"), AIMessage("x"), ToolMessage("{}", tool_call_id="1")],
        [SystemMessage([{"type": "text", "text": json_ask}]), HumanMessage(["a", "b"])],
        [HumanMessage([{"type": "text", "text": 'Answer as JSON: {"city": string}'}])],
        [SystemMessage("Use ſON please (JSON).")],
        [SystemMessage("")],
    ]
    for messages in cases:
        assert _prompt_schema(messages) == _reference_prompt_schema(messages), messages
