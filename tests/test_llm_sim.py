"""Does SimChatModel behave like a LangChain chat model, on virtual time, deterministically?"""

import asyncio
import dataclasses
from types import SimpleNamespace

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field, ValidationError
from typing_extensions import TypedDict

from infralab.clock import VirtualClock, use_clock
from infralab.faults import FaultPlan
from infralab.llm import (
    ScriptExhaustedError,
    SimChatModel,
    UnknownProfileError,
    count_message_tokens,
    count_tokens,
    get_profile,
)
from infralab.llm.errors import (
    ContextLengthExceededError,
    RateLimitError,
    ServiceUnavailableError,
)


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"It is sunny in {city}."


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class FakePlan:
    """A double of infralab.faults.FaultPlan: records calls, returns scripted decisions."""

    def __init__(self, *decisions):
        self.decisions = list(decisions)
        self.calls = []

    def before_call(self, *, model, input_tokens, now):
        self.calls.append({"model": model, "input_tokens": input_tokens, "now": now})
        if self.decisions:
            return self.decisions.pop(0)
        return SimpleNamespace(error=None, extra_latency=0.0)


def expected_latency(profile, message):
    """What a call must have slept: base + per token * output + a jitter in [0, jitter)."""
    out = message.usage_metadata["output_tokens"]
    return profile.latency_base_s + profile.latency_per_output_token_s * out


# -- construction --------------------------------------------------------------------------


def test_defaults_and_profile_argument():
    """Is the default profile sim-large@2026-11, and does profile= take a name or a profile?"""
    assert SimChatModel().model_name == "sim-large@2026-11"
    assert SimChatModel(profile="sim-small").model_name == "sim-small@2026-11"
    assert SimChatModel(model="sim-small@2026-06").sim_profile.version == "2026-06"
    custom = dataclasses.replace(get_profile("sim-small"), name="sim-test", context_window=50)
    m = SimChatModel(profile=custom)
    assert m.sim_profile is custom and m.model_name == "sim-test@2026-11"


def test_langchain_profile_describes_capabilities():
    """Does LangChain's own ``profile`` attribute carry the window and capabilities?"""
    m = SimChatModel(profile="sim-small@2026-06")
    assert m.profile["max_input_tokens"] == get_profile("sim-small@2026-06").context_window
    assert m.profile["tool_calling"] is True and m.profile["structured_output"] is True


def test_unknown_profile_raises_unknown_profile_error():
    """Does an unknown profile name raise UnknownProfileError (not a generic validation error)?"""
    with pytest.raises(UnknownProfileError, match="gpt-5"):
        SimChatModel(profile="gpt-5")
    with pytest.raises(UnknownProfileError):
        SimChatModel(model="nope")


def test_conflicting_profile_and_model():
    """Is profile= together with a different model= rejected?"""
    with pytest.raises(ValidationError, match="conflicts with model"):
        SimChatModel(profile="sim-small", model="sim-large")


@pytest.mark.parametrize(
    ("script", "where"),
    [
        ([1], r"script\[0\]: expected a str"),
        (["ok", {"text": "x"}], r"script\[1\]: a dict output takes 'content'"),
        ([{"tool_calls": [{"args": {}}]}], r"script\[0\]: tool_calls\[0\] must be a dict with"),
        ([{"tool_calls": [{"name": "f", "args": 3}]}], r"tool_calls\[0\]\['args'\] must be a dict"),
    ],
)
def test_bad_script_items_are_named(script, where):
    """Is a malformed script item reported at construction with its index and field?"""
    with pytest.raises(ValidationError, match=where):
        SimChatModel(script=script)


def test_seed_must_be_an_int():
    """Is a non-int seed rejected?"""
    with pytest.raises(ValidationError, match="seed must be an int"):
        SimChatModel(seed="1")


# -- scripts -------------------------------------------------------------------------------


def test_script_items_in_order():
    """Do str, dict, AIMessage items come back in order as AIMessages with tool calls?"""
    m = SimChatModel(
        script=[
            "first",
            {"content": "calling", "tool_calls": [{"name": "add", "args": {"a": 1, "b": 2}}]},
            AIMessage("", tool_calls=[{"name": "add", "args": {"a": 3, "b": 4}, "id": "mine"}]),
        ]
    )
    a = m.invoke("go")
    b = m.invoke("go")
    c = m.invoke("go")
    assert a.content == "first" and a.tool_calls == []
    assert b.content == "calling" and b.tool_calls[0]["args"] == {"a": 1, "b": 2}
    assert b.tool_calls[0]["id"].startswith("call_")
    assert b.response_metadata["finish_reason"] == "tool_calls"
    assert c.tool_calls[0]["id"] == "mine"
    assert m.script_position == 3


def test_script_exhaustion_is_a_clear_error():
    """Does a too-short script raise ScriptExhaustedError with its length and the call number?"""
    m = SimChatModel(script=["only"])
    m.invoke("a")
    with pytest.raises(ScriptExhaustedError, match=r"script of 1 outputs exhausted at call 2"):
        m.invoke("b")


def test_script_exceptions_are_raised():
    """Is an exception item raised in its turn, and does the script go on afterwards?"""
    m = SimChatModel(script=[RateLimitError(retry_after=3), "recovered"])
    with pytest.raises(RateLimitError) as info:
        m.invoke("x")
    assert info.value.retry_after == 3
    assert m.invoke("x").content == "recovered"


def test_callable_script_sees_messages_and_tools_and_may_fall_through():
    """Does a callable script get (messages, tools), and does None fall through to the rules?"""
    seen = []

    def script(messages, tools):
        seen.append(([type(x).__name__ for x in messages], [t["function"]["name"] for t in tools]))
        return None if len(seen) > 1 else "scripted"

    m = SimChatModel(script=script).bind_tools([add])
    assert m.invoke([SystemMessage("s"), HumanMessage("hi")]).content == "scripted"
    fallback = m.invoke("hello")
    assert fallback.response_metadata["sim_source"] == "rules"
    assert seen[0] == (["SystemMessage", "HumanMessage"], ["add"])


def test_scripted_usage_is_respected():
    """Does a scripted AIMessage with usage_metadata keep those counts and price them?"""
    usage = {"input_tokens": 1000, "output_tokens": 500, "total_tokens": 1500}
    m = SimChatModel(script=[AIMessage("x", usage_metadata=usage)])
    r = m.invoke("hi")
    assert r.usage_metadata == usage
    assert r.response_metadata["cost_usd"] == pytest.approx(m.sim_profile.cost(1000, 500))


# -- usage, cost, latency ------------------------------------------------------------------


def test_usage_cost_and_metadata():
    """Are usage counts from count_tokens and cost from the profile, with the documented keys?"""
    m = SimChatModel(profile="sim-small@2026-06", script=["The answer is 42."])
    messages = [SystemMessage("Be brief."), HumanMessage("What is six times seven?")]
    r = m.invoke(messages)
    n_in = count_message_tokens(messages)
    n_out = count_tokens("The answer is 42.")
    assert r.usage_metadata == {
        "input_tokens": n_in,
        "output_tokens": n_out,
        "total_tokens": n_in + n_out,
    }
    md = r.response_metadata
    assert md["model_name"] == "sim-small@2026-06"
    assert md["model_version"] == "2026-06"
    assert md["model_provider"] == md["provider"] == "infralab-sim"
    assert md["cost_usd"] == pytest.approx(get_profile("sim-small@2026-06").cost(n_in, n_out))
    assert md["finish_reason"] == "stop"


def test_bound_tools_count_as_input():
    """Do bound tool schemas add to input tokens, as providers bill them?"""
    m = SimChatModel(script=["a", "a"])
    plain = m.invoke("hi").usage_metadata["input_tokens"]
    bound = m.bind_tools([get_weather, add]).invoke("hi").usage_metadata["input_tokens"]
    assert bound > plain + 20


def test_latency_sleeps_on_the_virtual_clock():
    """Does a call advance the current virtual clock by the profile's latency, and no more?"""
    m = SimChatModel(profile="sim-large", script=["one two three four five"])
    with use_clock(VirtualClock()) as clock:
        r = m.invoke("hi")
    base = expected_latency(m.sim_profile, r)
    assert base <= clock.now() < base + m.sim_profile.latency_jitter_s


def test_faster_profile_is_faster():
    """Is sim-small faster than sim-large-long for the same reply?"""
    times = {}
    for name in ("sim-small", "sim-large-long"):
        with use_clock(VirtualClock()) as clock:
            SimChatModel(profile=name, script=["same reply here"]).invoke("hi")
        times[name] = clock.now()
    assert times["sim-small"] < times["sim-large-long"]


# -- context window and faults ------------------------------------------------------------


def test_context_window_exceeded_before_the_fault_plan():
    """Is a prompt over the window a ContextLengthExceededError, without consulting faults?"""
    plan = FakePlan()
    small = dataclasses.replace(get_profile("sim-small"), name="sim-tiny", context_window=30)
    m = SimChatModel(profile=small, fault_plan=plan, script=["never"])
    with pytest.raises(ContextLengthExceededError) as info:
        m.invoke("word " * 40)
    err = info.value
    assert err.status_code == 400 and err.max_tokens == 30 and err.requested_tokens > 30
    assert err.model == "sim-tiny@2026-11"
    assert plan.calls == [] and m.script_position == 0


def test_fault_plan_latency_then_error():
    """Is the plan asked with model, tokens and now; its latency slept; its error raised?"""
    error = ServiceUnavailableError(model="sim-large@2026-11")
    plan = FakePlan(SimpleNamespace(error=error, extra_latency=7.5))
    m = SimChatModel(fault_plan=plan, script=["after"])
    with use_clock(VirtualClock(start=100)) as clock:
        with pytest.raises(ServiceUnavailableError):
            m.invoke("hi")
        assert clock.now() == 107.5
        r = m.invoke("hi")  # the failed call consumed no script output
    assert r.content == "after"
    assert plan.calls[0] == {
        "model": "sim-large@2026-11",
        "input_tokens": count_message_tokens(["hi"]),
        "now": 100.0,
    }
    assert plan.calls[1]["now"] == 107.5


def test_real_fault_plan_outage():
    """Does a real FaultPlan outage fail calls inside its window and pass them outside?"""
    plan = FaultPlan([{"kind": "outage", "models": ["sim-large"], "start": 10, "end": 20}])
    m = SimChatModel(fault_plan=plan)
    with use_clock(VirtualClock()) as clock:
        assert m.invoke("hello").content
        clock.advance_to(12)
        with pytest.raises(ServiceUnavailableError):
            m.invoke("hello")
        clock.advance_to(25)
        assert m.invoke("hello").content
    small = SimChatModel(profile="sim-small", fault_plan=plan)
    with use_clock(VirtualClock(start=12)):
        assert small.invoke("hello").content  # the outage is for sim-large only


def test_async_paths_share_the_behaviour():
    """Do ainvoke and astream give what invoke and stream give, and sleep the clock?"""
    m = SimChatModel(seed=3)

    async def run():
        with use_clock(VirtualClock()) as clock:
            a = await m.ainvoke("Please summarize: The cat sat. The dog ran. The end.")
            t = clock.now()
            chunks = [c async for c in m.astream("Hello there")]
        return a, t, chunks

    a, t, chunks = asyncio.run(run())
    assert a.content == m.invoke("Please summarize: The cat sat. The dog ran. The end.").content
    assert t > 0
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == m.invoke("Hello there").content


# -- determinism ---------------------------------------------------------------------------


def test_same_input_same_output_any_order():
    """Is the output a function of (profile, seed, input), whatever was called before?"""
    prompts = ["Hello!", "What is the refund policy?", "Summarize: A. B. C.", "Thanks a lot"]
    m1, m2 = SimChatModel(seed=5), SimChatModel(seed=5)
    first = [m1.invoke(p) for p in prompts]
    second = [m2.invoke(p) for p in reversed(prompts)][::-1]
    for a, b in zip(first, second, strict=True):
        assert (a.content, a.tool_calls, a.usage_metadata) == (
            b.content,
            b.tool_calls,
            b.usage_metadata,
        )


def test_latency_draw_depends_on_seed_and_input_not_history():
    """Is the latency draw the same for the same input, different for another seed?"""

    def elapsed(seed, prompt):
        with use_clock(VirtualClock()) as clock:
            SimChatModel(seed=seed, script=["x"]).invoke(prompt)
        return clock.now()

    assert elapsed(1, "a") == elapsed(1, "a")
    assert len({elapsed(s, "a") for s in range(8)}) > 1


def test_message_ids_do_not_change_the_output():
    """Do random message ids (LangGraph assigns uuids) leave tool-call ids unchanged?"""
    m = SimChatModel().bind_tools([get_weather], tool_choice="get_weather")
    a = m.invoke([HumanMessage("weather in Paris", id="x1")])
    b = m.invoke([HumanMessage("weather in Paris", id="y2")])
    assert a.tool_calls == b.tool_calls


# -- tools, structured output, rules ------------------------------------------------------


def test_bind_tools_forces_a_named_tool():
    """Does tool_choice=<name> force that tool, with schema-valid arguments?"""
    m = SimChatModel().bind_tools([get_weather, add], tool_choice="add")
    r = m.invoke("add some numbers")
    assert [c["name"] for c in r.tool_calls] == ["add"]
    assert set(r.tool_calls[0]["args"]) == {"a", "b"}
    assert all(isinstance(v, int) for v in r.tool_calls[0]["args"].values())
    assert add.invoke(r.tool_calls[0]["args"]) == 0


def test_bind_tools_any_and_unknown_choice():
    """Does tool_choice='any' force some call, and is an unbound tool name rejected?"""
    r = SimChatModel().bind_tools([get_weather], tool_choice="any").invoke("hello")
    assert r.tool_calls and r.tool_calls[0]["name"] == "get_weather"
    with pytest.raises(ValueError, match="'nope', which is not among the bound tools: get_weather"):
        SimChatModel().bind_tools([get_weather], tool_choice="nope")


def test_rules_pick_a_relevant_tool_and_report_its_result():
    """Does a free-text request that names a tool's topic call it, then report the result?"""
    m = SimChatModel().bind_tools([get_weather, add])
    first = m.invoke("What's the weather in Lisbon?")
    assert first.tool_calls[0]["name"] == "get_weather"
    call = first.tool_calls[0]
    result = ToolMessage("It is sunny in Lisbon.", tool_call_id=call["id"])
    second = m.invoke([HumanMessage("What's the weather in Lisbon?"), first, result])
    assert not second.tool_calls and "sunny in Lisbon" in second.content


def test_tool_choice_none_answers_in_text():
    """Does tool_choice='none' keep the model from calling tools?"""
    r = SimChatModel().bind_tools([get_weather], tool_choice="none").invoke("weather in Rome?")
    assert r.tool_calls == [] and r.content


@pytest.mark.parametrize(
    ("prompt", "needle"),
    [
        ("hi there", "How can I help"),
        ("thank you so much", "You're welcome"),
        ("Summarize: Prices rose in May. Sales fell. Nobody knows why.", "Prices rose in May."),
        ("What is a circuit breaker?", "About circuit breaker: I am a simulated model"),
        ("Write a haiku about retries", "Understood (write haiku retries)"),
        ("", "tell me a bit more"),
    ],
)
def test_free_text_rules(prompt, needle):
    """Do greetings, thanks, summaries, questions and empty input get sensible replies?"""
    assert needle in SimChatModel().invoke([HumanMessage(prompt)]).content


def test_stop_and_max_tokens():
    """Do stop sequences cut the text, and max_tokens truncate it with finish_reason=length?"""
    m = SimChatModel(script=["alpha beta END gamma", "one two three four five six seven"] * 2)
    assert m.invoke("x", stop=["END"]).content == "alpha beta "
    r = m.bind(max_tokens=3).invoke("x")
    assert r.content == "one two three"
    assert r.response_metadata["finish_reason"] == "length"
    assert r.usage_metadata["output_tokens"] == 3


class Ticket(BaseModel):
    """A support ticket."""

    title: str
    priority: int = Field(ge=1, le=5)
    tags: list[str]
    urgent: bool


class TicketDict(TypedDict):
    """A support ticket."""

    title: str
    priority: int


TICKET_SCHEMA = {
    "title": "TicketSchema",
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 10},
        "severity": {"type": "string", "enum": ["low", "high"]},
        "when": {"type": "string", "format": "date"},
    },
    "required": ["title", "severity", "when"],
}


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_structured_output_pydantic(method):
    """Does each method return a valid Pydantic instance?"""
    out = SimChatModel().with_structured_output(Ticket, method=method).invoke("printer broken")
    assert isinstance(out, Ticket) and 1 <= out.priority <= 5


@pytest.mark.parametrize("method", ["function_calling", "json_schema"])
def test_structured_output_typeddict_and_json_schema(method):
    """Do a TypedDict and a JSON schema give dicts that satisfy them?"""
    d = SimChatModel().with_structured_output(TicketDict, method=method).invoke("x")
    assert set(d) == {"title", "priority"} and isinstance(d["priority"], int)
    j = SimChatModel().with_structured_output(TICKET_SCHEMA, method=method).invoke("a long title")
    assert j["severity"] in ("low", "high") and len(j["title"]) <= 10 and j["when"] == "2026-01-01"


def test_structured_output_include_raw_and_bad_method():
    """Does include_raw give raw/parsed/parsing_error, and is an unknown method rejected?"""
    for method in ("function_calling", "json_schema"):
        out = (
            SimChatModel()
            .with_structured_output(Ticket, method=method, include_raw=True)
            .invoke("x")
        )
        assert isinstance(out["raw"], AIMessage) and isinstance(out["parsed"], Ticket)
        assert out["parsing_error"] is None
    bad = SimChatModel(script=["not json"]).with_structured_output(
        Ticket, method="json_schema", include_raw=True
    )
    out = bad.invoke("x")
    assert out["parsed"] is None and out["parsing_error"] is not None
    with pytest.raises(ValueError, match="method must be"):
        SimChatModel().with_structured_output(Ticket, method="xml")


# -- streaming -----------------------------------------------------------------------------


def aggregate(chunks):
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    return full


def test_stream_text_matches_invoke_with_usage_once():
    """Does a stream add up to the invoke reply, with usage counted once?"""
    m = SimChatModel(seed=1)
    prompt = "Summarize: Streams send text in pieces. Usage comes last. That is all."
    chunks = list(m.stream(prompt))
    assert len(chunks) > 3
    full = aggregate(chunks)
    ref = m.invoke(prompt)
    assert full.content == ref.content
    assert full.usage_metadata == ref.usage_metadata
    assert full.response_metadata["cost_usd"] == ref.response_metadata["cost_usd"]
    assert full.response_metadata["model_name"] == "sim-large@2026-11"


def test_stream_tool_calls_survive():
    """Do streamed tool call chunks aggregate into the same tool calls as invoke gives?"""
    m = SimChatModel().bind_tools([get_weather, add], tool_choice="add")
    chunks = list(m.stream("add two numbers"))
    assert any(c.tool_call_chunks for c in chunks)
    full = aggregate(chunks)
    ref = m.invoke("add two numbers")
    assert full.tool_calls == ref.tool_calls
    assert full.usage_metadata == ref.usage_metadata


def test_stream_takes_as_long_as_invoke():
    """Does a stream sleep the same total virtual time as invoke, first token first?"""
    m = SimChatModel(script=["a b c d e f g h"] * 2)
    with use_clock(VirtualClock()) as clock:
        m.invoke("x")
    invoke_time = clock.now()
    with use_clock(VirtualClock()) as clock:
        stamps = [clock.now() for _ in m.stream("x")]
    assert clock.now() == pytest.approx(invoke_time)
    assert stamps[0] >= m.sim_profile.latency_base_s


def test_stream_raises_faults_before_any_chunk():
    """Does a fault surface from stream() before any chunk is yielded?"""
    plan = FakePlan(SimpleNamespace(error=RateLimitError(retry_after=1), extra_latency=0.0))
    with pytest.raises(RateLimitError):
        next(iter(SimChatModel(fault_plan=plan).stream("x")))


# -- LangChain integration -----------------------------------------------------------------


def test_token_counting_hooks_need_no_tokenizer():
    """Do get_num_tokens(_from_messages) use count_tokens (no GPT-2 tokenizer download)?"""
    m = SimChatModel()
    assert m.get_num_tokens("Hello, world!") == count_tokens("Hello, world!")
    msgs = [HumanMessage("hi")]
    assert m.get_num_tokens_from_messages(msgs) == count_message_tokens(msgs)
    assert m.get_num_tokens_from_messages(msgs, tools=[add]) > count_message_tokens(msgs)


def test_ls_params_name_the_simulator():
    """Do tracing params name the provider and the profile id?"""
    params = SimChatModel(profile="sim-small")._get_ls_params()
    assert params["ls_provider"] == "infralab-sim"
    assert params["ls_model_name"] == "sim-small@2026-11"


def test_runs_in_a_langgraph_state_graph():
    """Does the model run unmodified in a LangGraph StateGraph with a ToolNode loop?"""
    from langgraph.graph import START, MessagesState, StateGraph
    from langgraph.prebuilt import ToolNode, tools_condition

    llm = SimChatModel().bind_tools([get_weather])

    def agent(state: MessagesState):
        return {"messages": [llm.invoke(state["messages"])]}

    g = StateGraph(MessagesState)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode([get_weather]))
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", tools_condition)
    g.add_edge("tools", "agent")
    app = g.compile()
    with use_clock(VirtualClock()) as clock:
        out = app.invoke({"messages": [("user", "What is the weather in Oslo?")]})
    kinds = [type(m).__name__ for m in out["messages"]]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert "sunny in Oslo" in out["messages"][-1].content
    assert clock.now() > 0


def test_runs_in_create_agent_with_streaming_messages():
    """Does create_agent run it, and does stream_mode='messages' carry tokens and usage?"""
    from langchain.agents import create_agent

    agent = create_agent(SimChatModel(), [get_weather])
    chunks = []
    for chunk, _meta in agent.stream(
        {"messages": [("user", "weather in Kyoto please")]}, stream_mode="messages"
    ):
        chunks.append(chunk)
    ai_chunks = [c for c in chunks if type(c).__name__ == "AIMessageChunk"]
    assert any(c.tool_call_chunks for c in ai_chunks)
    assert any(c.usage_metadata for c in ai_chunks)
    final = agent.invoke({"messages": [("user", "weather in Kyoto please")]})
    assert "sunny in Kyoto" in final["messages"][-1].content


@pytest.mark.parametrize("strategy", ["tool", "provider"])
def test_create_agent_structured_response(strategy):
    """Does create_agent's response_format work with both ToolStrategy and ProviderStrategy?"""
    from langchain.agents import create_agent
    from langchain.agents.structured_output import ProviderStrategy, ToolStrategy

    fmt = ToolStrategy(Ticket) if strategy == "tool" else ProviderStrategy(Ticket)
    agent = create_agent(SimChatModel(), [get_weather], response_format=fmt)
    out = agent.invoke({"messages": [("user", "file a ticket: printer jam")]})
    assert isinstance(out["structured_response"], Ticket)


def test_as_fast_path_is_a_real_chat_model():
    """Is it usable where a FakeMessagesListChatModel is, as a BaseChatModel?"""
    from langchain_core.language_models import BaseChatModel

    assert isinstance(SimChatModel(), BaseChatModel)
    assert isinstance(FakeMessagesListChatModel(responses=[AIMessage("x")]), BaseChatModel)


def test_copy_pickle_and_model_copy():
    """Can the model be deep-copied and pickled, and does model_copy(update=) switch profile?"""
    import copy
    import pickle

    m = SimChatModel(script=["a", "b"])
    m.invoke("x")
    clone = copy.deepcopy(m)
    assert clone.invoke("y").content == "b"
    assert pickle.loads(pickle.dumps(SimChatModel(profile="sim-small"))).model_name == (
        "sim-small@2026-11"
    )
    other = SimChatModel().model_copy(update={"model_name": "sim-small@2026-06"})
    assert other.invoke("hi").response_metadata["model_name"] == "sim-small@2026-06"


def test_import_is_light():
    """Does importing infralab.llm load no Phoenix, dataset or tool-world code?"""
    import subprocess
    import sys

    code = (
        "import sys, infralab; from infralab.llm import SimChatModel; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'phoenix' "
        "or m.startswith(('infralab.datasets', 'infralab.tools', 'infralab.llm._oracle'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
