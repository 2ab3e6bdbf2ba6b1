"""infralab._langchain_spans: our LangChain callback handler writes OpenInference's spans.

The reference is OpenInference's own ``LangChainInstrumentor`` (what ``setup_tracing`` used
before): the same runs, traced once by each onto a plain in-memory TracerProvider, must give
the same span tree (names, kinds, parents, statuses) and the same values for every attribute
Phoenix and the labs read; the differences are the ones the module docstring lists.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from stubs.agents import tool_agent

from infralab import _langchain_spans
from infralab.clock import VirtualClock, use_clock
from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel
from infralab.tools import SupportDesk
from infralab.tracing import current_run_span

# Attributes whose value must be the instrumentor's exactly.
SAME_VALUE = (
    "openinference.span.kind",
    "llm.model_name",
    "llm.provider",
    "llm.token_count.prompt",
    "llm.token_count.completion",
    "llm.token_count.total",
    "llm.finish_reason",
    "llm.invocation_parameters",
    "tool.name",
    "tool.description",
    "session.id",
    "llm.prompt_template.template",
    "llm.prompt_template.variables",
)
SAME_PREFIX = ("llm.input_messages.", "llm.output_messages.", "llm.tools.", "retrieval.")


def _provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
def ours() -> Iterator[InMemorySpanExporter]:
    """Our handler installed on a plain provider; uninstalled after (setup_tracing, which
    other tests call, installs its own again)."""
    provider, exporter = _provider()
    _langchain_spans.install(provider.get_tracer("test"))
    yield exporter
    _langchain_spans.uninstall()


def _scenario() -> Any:
    return next(s for s in load_scenarios() if len(s.expected_tool_calls) >= 2)


class PolicyRetriever(BaseRetriever):
    """Two help-center articles for any query."""

    def _get_relevant_documents(self, query: str, *, run_manager: Any = None) -> list[Document]:
        return [
            Document(page_content=f"Refunds: {query}", metadata={"id": "KB-1"}, id="KB-1"),
            Document(page_content="Returns within 30 days.", metadata={"id": "KB-2"}),
        ]


@tool
def refund_order(order_id: str) -> str:
    """Refund an order (always fails here)."""
    raise ValueError(f"order {order_id} cannot be refunded")


def _run_all() -> None:
    """A tool-calling LangGraph agent on the simulator, a prompt-template chain and a tool
    that raises: every run type the labs trace."""
    scenario = _scenario()
    desk = SupportDesk(scenario=scenario)
    tools = desk.tools()
    model = SimChatModel(seed=3).bind_tools(tools)

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke([SystemMessage("Help."), *state["messages"]])]}

    graph = tool_agent(agent, tools)
    with use_clock(VirtualClock()):
        graph.invoke(
            {"messages": [HumanMessage(scenario.message)]},
            {"configurable": {"thread_id": "t-1"}, "metadata": {"session_id": "s-42"}},
        )
        prompt = ChatPromptTemplate.from_messages(
            [("system", "You answer in {style}."), ("human", "{question}")]
        )
        (prompt | SimChatModel(seed=1, oracle=False)).invoke(
            {"style": "one sentence", "question": "What is a refund?"}
        )
        PolicyRetriever().invoke("opened items")
        with pytest.raises(ValueError):
            refund_order.invoke({"order_id": "A-1"})


def _spans_by(exporter: InMemorySpanExporter) -> list[dict[str, Any]]:
    spans = exporter.get_finished_spans()
    names = {s.context.span_id: s.name for s in spans}
    rows = []
    for s in sorted(spans, key=lambda s: (s.start_time, s.name)):
        rows.append(
            {
                "name": s.name,
                "parent": names.get(s.parent.span_id) if s.parent else None,
                "status": s.status.status_code,
                "error": s.status.description,
                "events": [e.name for e in s.events],
                "attributes": dict(s.attributes or {}),
            }
        )
    return rows


def _openinference_spans() -> list[dict[str, Any]]:
    from openinference.instrumentation.langchain import LangChainInstrumentor

    provider, exporter = _provider()
    _langchain_spans.uninstall()  # the next setup_tracing() installs ours again
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(tracer_provider=provider, skip_dep_check=True)
    try:
        _run_all()
    finally:
        instrumentor.uninstrument()
    return _spans_by(exporter)


def _without_run_ids(metadata: str) -> dict[str, Any]:
    data = json.loads(metadata)
    # LangGraph's checkpoint namespaces embed per-run task ids.
    return {k: v for k, v in data.items() if "checkpoint_ns" not in k and k != "checkpoint_id"}


def test_spans_match_openinference_instrumentor(ours):
    _run_all()
    mine, theirs = _spans_by(ours), _openinference_spans()
    assert [(r["name"], r["parent"], r["status"], r["error"]) for r in mine] == [
        (r["name"], r["parent"], r["status"], r["error"]) for r in theirs
    ]
    kinds = {r["attributes"]["openinference.span.kind"] for r in mine}
    assert {"CHAIN", "LLM", "TOOL", "PROMPT", "RETRIEVER"} <= kinds
    for a, b in zip(mine, theirs, strict=True):
        where = f"span {a['name']!r}"
        is_llm = b["attributes"]["openinference.span.kind"] == "LLM"
        assert a["events"] == b["events"], where
        for key, value in b["attributes"].items():
            if not is_llm and key.startswith("llm.input_messages."):
                continue  # see below
            if key in SAME_VALUE or key.startswith(SAME_PREFIX):
                assert a["attributes"].get(key) == value, f"{where}: {key}"
        if "metadata" in b["attributes"]:
            assert _without_run_ids(a["attributes"]["metadata"]) == _without_run_ids(
                b["attributes"]["metadata"]
            ), where
        # Every attribute the instrumentor writes, we write (chain spans: it also copies
        # a state's messages into llm.input_messages, which Phoenix reads on LLM spans only).
        missing = set(b["attributes"]) - set(a["attributes"])
        if not is_llm:
            missing = {k for k in missing if not k.startswith("llm.input_messages.")}
        assert not missing, f"{where}: {sorted(missing)}"
        # Inputs and outputs: a lone string is the same text; JSON is JSON on both sides.
        for key in ("input", "output"):
            value = b["attributes"].get(f"{key}.value")
            mime = b["attributes"].get(f"{key}.mime_type")
            if value is None:
                continue
            assert a["attributes"].get(f"{key}.mime_type") == mime, f"{where}: {key}"
            if mime == "application/json":
                json.loads(a["attributes"][f"{key}.value"])
            elif b["attributes"]["openinference.span.kind"] != "TOOL" or key == "input":
                assert a["attributes"][f"{key}.value"] == value, f"{where}: {key}"


def test_llm_span_values(ours):
    _run_all()
    rows = _spans_by(ours)
    llm = next(r for r in rows if r["attributes"]["openinference.span.kind"] == "LLM")
    attrs = llm["attributes"]
    assert attrs["llm.model_name"] == SimChatModel().model_name
    assert attrs["llm.token_count.total"] == (
        attrs["llm.token_count.prompt"] + attrs["llm.token_count.completion"]
    )
    assert attrs["llm.input_messages.0.message.role"] == "system"
    assert attrs["llm.input_messages.1.message.role"] == "user"
    params = json.loads(attrs["llm.invocation_parameters"])
    assert [t["function"]["name"] for t in params["tools"]] == [
        json.loads(attrs[f"llm.tools.{i}.tool.json_schema"])["function"]["name"]
        for i in range(len(params["tools"]))
    ]
    messages = json.loads(attrs["input.value"])["messages"][0]
    assert [m["role"] for m in messages] == ["system", "user"]
    # The session: LangGraph's run metadata names it.
    assert attrs["session.id"] == "s-42"


def test_tool_error_is_an_error_span_with_the_exception(ours):
    _run_all()
    failed = next(r for r in _spans_by(ours) if r["name"] == "refund_order")
    assert failed["status"] == StatusCode.ERROR
    assert failed["events"] == ["exception"]
    assert failed["attributes"]["input.value"] == "A-1"


def test_the_tools_json_is_cached_per_list_and_equals_json_dumps():
    tools = [{"type": "function", "function": {"name": "a", "description": "é"}}, {"b": [1]}]
    invocation = {"model": "m", "tools": tools, "tool_choice": "a", "stop": None}
    first: dict[str, Any] = {}
    _langchain_spans._llm_start_attributes(invocation, {"ls_provider": "OpenAI"}, first)
    second: dict[str, Any] = {}
    _langchain_spans._llm_start_attributes(dict(invocation), {}, second)
    expected = json.dumps(invocation, ensure_ascii=False)
    assert first["llm.invocation_parameters"] == second["llm.invocation_parameters"] == expected
    # The second call with the same list reads the cache: the very same strings.
    assert first["llm.tools.0.tool.json_schema"] is second["llm.tools.0.tool.json_schema"]
    assert first["llm.tools.1.tool.json_schema"] == json.dumps(tools[1])
    assert first["llm.provider"] == "openai" and first["llm.system"] == "openai"
    # A different list (even an equal one) is encoded afresh.
    other = [{"type": "function", "function": {"name": "z"}}]
    third: dict[str, Any] = {}
    _langchain_spans._llm_start_attributes({**invocation, "tools": other}, {}, third)
    assert json.loads(third["llm.invocation_parameters"])["tools"] == other


def test_a_long_conversation_keeps_kind_and_newest_messages_within_the_limit(ours, caplog):
    history = []
    for i in range(40):
        history += [HumanMessage(f"question {i}"), AIMessage(f"answer {i}")]
    history.append(HumanMessage("last question"))
    with caplog.at_level(logging.WARNING, logger="opentelemetry.attributes"):
        with use_clock(VirtualClock()):
            SimChatModel(seed=1, oracle=False).invoke(history)
    (span,) = ours.get_finished_spans()
    attrs = dict(span.attributes)
    assert not [r for r in caplog.records if "full" in r.getMessage()]
    assert attrs["openinference.span.kind"] == "LLM"
    assert len(attrs) <= 128
    last = len(history) - 1
    assert attrs[f"llm.input_messages.{last}.message.content"] == "last question"
    assert "llm.input_messages.0.message.role" not in attrs
    assert len(json.loads(attrs["input.value"])["messages"][0]) == len(history)
    assert "llm.token_count.total" in attrs


def test_current_run_span_is_the_tool_span_inside_a_tool(ours):
    seen = []

    @tool
    def probe(x: int) -> int:
        """Report the current run's span."""
        seen.append(current_run_span())
        return x

    with use_clock(VirtualClock()):
        probe.invoke({"x": 1})
    (span,) = ours.get_finished_spans()
    assert seen[0] is not None and seen[0].get_span_context().span_id == span.context.span_id
    assert current_run_span() is None  # outside any run


def test_install_patches_langchain_and_uninstall_restores_it():
    from langchain_core.callbacks import BaseCallbackManager, CallbackManager

    _langchain_spans.uninstall()  # a known start (the next setup_tracing() installs again)
    before = BaseCallbackManager.__init__
    assert before is not _langchain_spans._init_with_handler
    provider, _ = _provider()
    handler = _langchain_spans.install(provider.get_tracer("test"))
    try:
        assert BaseCallbackManager.__init__ is _langchain_spans._init_with_handler
        assert handler in CallbackManager(handlers=[]).handlers
        # A manager built from one that has it does not get a second copy.
        child = CallbackManager(handlers=[handler], inheritable_handlers=[handler])
        assert child.inheritable_handlers.count(handler) == 1
    finally:
        _langchain_spans.uninstall()
    assert _langchain_spans.installed() is None
    assert BaseCallbackManager.__init__ is before
    assert not any(
        isinstance(h, _langchain_spans.SpanHandler) for h in CallbackManager(handlers=[]).handlers
    )


def test_a_message_without_tool_fields_and_a_chat_message_role():
    from langchain_core.messages import ChatMessage

    assert _langchain_spans._plain_message(HumanMessage("hi")) == {"role": "user", "content": "hi"}
    assert _langchain_spans._plain_message(ChatMessage(role="critic", content="x"))["role"] == (
        "critic"
    )
    tool_msg = ToolMessage("out", tool_call_id="c1", name="a")
    assert _langchain_spans._plain_message(tool_msg) == {
        "role": "tool",
        "content": "out",
        "tool_call_id": "c1",
        "name": "a",
    }


def test_async_runs_give_the_same_tree_as_sync_runs(ours):
    import asyncio

    def graph() -> Any:
        model = SimChatModel(seed=2, oracle=False)

        async def agent(state: MessagesState) -> dict[str, Any]:
            return {"messages": [await model.ainvoke(state["messages"])]}

        def agent_sync(state: MessagesState) -> dict[str, Any]:
            return {"messages": [model.invoke(state["messages"])]}

        g = StateGraph(MessagesState)
        g.add_node("agent", agent)
        g.add_edge(START, "agent")
        sync = StateGraph(MessagesState)
        sync.add_node("agent", agent_sync)
        sync.add_edge(START, "agent")
        return g.compile(), sync.compile()

    async_graph, sync_graph = graph()
    with use_clock(VirtualClock()):
        asyncio.run(async_graph.ainvoke({"messages": [HumanMessage("hi")]}))
    async_rows = _spans_by(ours)
    ours.clear()
    with use_clock(VirtualClock()):
        sync_graph.invoke({"messages": [HumanMessage("hi")]})
    sync_rows = _spans_by(ours)
    assert [(r["name"], r["parent"], r["status"]) for r in async_rows] == [
        (r["name"], r["parent"], r["status"]) for r in sync_rows
    ]
    assert len(async_rows) == 3


def test_context_attributes_reach_the_span(ours):
    from openinference.instrumentation import using_prompt_template, using_session

    model = SimChatModel(seed=1, oracle=False)
    with use_clock(VirtualClock()):
        with (
            using_session("s-ctx"),
            using_prompt_template(template="Answer {q}", variables={"q": "why"}, version="v2"),
        ):
            model.invoke([HumanMessage("why")])
        model.invoke([HumanMessage("again")])  # outside: none of them
    first, second = (dict(s.attributes) for s in ours.get_finished_spans())
    assert first["session.id"] == "s-ctx"
    assert first["llm.prompt_template.template"] == "Answer {q}"
    assert first["llm.prompt_template.version"] == "v2"
    assert json.loads(first["llm.prompt_template.variables"]) == {"q": "why"}
    assert "session.id" not in second and "llm.prompt_template.template" not in second


def test_cached_message_json_is_plain_json_and_sees_an_id_filled_in_later():
    messages = [
        HumanMessage('hé "quoted"'),
        AIMessage("", tool_calls=[{"name": "a", "args": {"x": 1}, "id": "c1"}]),
        ToolMessage('{"a": 1}', tool_call_id="c1", name="a"),
    ]
    for value in (
        {"messages": messages, "route": "x", "n": 1.5},
        messages,
        {"mixed": [1, messages[0]]},
        {"messages": []},
    ):
        assert _langchain_spans._encode(value) == _langchain_spans._dumps(value)
    assert '"id"' not in _langchain_spans._encode(messages[0])
    messages[0].id = "m-1"  # LangGraph's add_messages fills in missing ids in place
    assert '"id": "m-1"' in _langchain_spans._encode(messages[0])
    _langchain_spans._forget_messages()
