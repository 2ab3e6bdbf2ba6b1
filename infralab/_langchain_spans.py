"""Internals of :mod:`infralab.tracing`: OpenInference spans straight from LangChain callbacks.

Why not OpenInference's own ``LangChainInstrumentor``: its tracer is a LangChain ``BaseTracer``,
which builds a Pydantic ``Run`` for every run and serialises every chat model's input
messages with ``dumpd``, and it flattens each finished run's inputs and outputs through a
chain of generic converters. On the course's 1,000-episode benchmark that made a traced run
2.6x as dear as an untraced one (``benchmarks/bench_episodes.py``), for about ten spans per
episode. :class:`SpanHandler` is a plain ``BaseCallbackHandler`` that starts an OpenTelemetry
span when a run starts and writes the OpenInference attributes Phoenix reads when it ends,
from the objects LangChain hands the callback (messages, ``ChatResult``, tool output), with
no intermediate ``Run``.

The spans follow the OpenInference semantic conventions (``openinference.semconv``) as the
instrumentor writes them, with these differences, each for cost or readability:

- ``input.value`` of an LLM span is ``{"messages": [[{"role", "content", ...}]]}`` (the
  messages as ``llm.input_messages`` lists them), not LangChain's ``dumpd`` constructor JSON;
  ``output.value`` is ``{"generations": [[{"text", "message": {...}, "generation_info"}]],
  "llm_output": ...}`` with the message in the same plain form plus its
  ``response_metadata``;
- chain inputs and outputs serialise LangChain messages as ``{"type", "data"}`` with the
  message's non-empty fields, not every Pydantic field;
- a tool span's ``output.value`` is the tool message's content (JSON-typed when it is JSON),
  not the ``ToolMessage`` object's JSON.

Names, kinds, parents, statuses, exception events, ``llm.*`` / ``tool.*`` / ``metadata`` /
``session.id`` attributes and context attributes (``using_prompt_template``,
``using_session``...) are the instrumentor's.
"""

from __future__ import annotations

import dataclasses
import json
import re
import traceback
from collections.abc import Mapping, Sequence
from enum import Enum
from json.encoder import encode_basestring as _encode_key  # a str as JSON (non-ASCII kept)
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager
from langchain_core.messages import BaseMessage
from openinference.instrumentation import get_attributes_from_context
from opentelemetry import context as context_api
from opentelemetry import trace as trace_api
from opentelemetry.trace import Span, Status, StatusCode

__all__ = ["SpanHandler", "install", "uninstall", "installed", "current_run_span"]

_JSON = "application/json"
# Errors that are control flow in LangGraph (an interrupt, a Command to a parent graph): the
# instrumentor marks their spans OK, and so do we.
_CONTROL_FLOW = re.compile(r"^(Command|ParentCommand|GraphInterrupt)\(")
_SESSION_KEYS = ("session_id", "conversation_id", "thread_id")
_ROLE = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
# OpenInference's map from LangChain's ``ls_provider`` to ``llm.provider`` / ``llm.system``.
_PROVIDER = {"azure": "azure", "azure_openai": "azure", "google": "google", "vertexai": "google"}
_SYSTEM = {
    "openai": "openai",
    "azure_openai": "openai",
    "anthropic": "anthropic",
    "cohere": "cohere",
    "mistralai": "mistralai",
    "vertexai": "vertexai",
    "google": "vertexai",
}


def _default(obj: Any) -> Any:
    """JSON for what ``json`` cannot encode: messages, Pydantic models, dataclasses, enums."""
    if isinstance(obj, BaseMessage):
        return {"type": obj.type, "data": _message_data(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        try:
            return dump()
        except Exception:  # noqa: BLE001 - a span must never break the run it records
            return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return str(obj)


# One encoder for every attribute: ``json.dumps`` with options builds a new one per call.
# No circular-reference bookkeeping (a dict of ids per container): run inputs and outputs are
# trees, and a cycle would still fail (RecursionError), caught like any encoding error.
_ENCODER = json.JSONEncoder(default=_default, ensure_ascii=False, check_circular=False)


def _dumps(obj: Any) -> str:
    """JSON text of ``obj`` as the instrumentor writes it (non-ASCII kept as is)."""
    return _ENCODER.encode(obj)


def _message_data(message: BaseMessage) -> dict[str, Any]:
    """A message's non-empty fields (content first), cheaper than ``model_dump``."""
    # Read from the instance dict: ``getattr`` of a field a message class lacks goes through
    # Pydantic's ``__getattr__`` and a caught AttributeError, the dearest part of this.
    fields = message.__dict__
    data: dict[str, Any] = {"content": fields.get("content")}
    for key in ("name", "id", "tool_call_id", "status"):
        value = fields.get(key)
        if value is not None:
            data[key] = value
    for key in ("tool_calls", "additional_kwargs", "response_metadata", "usage_metadata"):
        value = fields.get(key)
        if value:
            data[key] = value
    return data


def _plain_message(message: BaseMessage) -> dict[str, Any]:
    """``{"role", "content", "tool_calls", "tool_call_id", "name"}`` (non-empty ones)."""
    fields = message.__dict__
    kind = fields.get("type")
    role = _ROLE.get(kind) if isinstance(kind, str) else None
    if role is None:
        role = fields.get("role") or kind or type(message).__name__
    out: dict[str, Any] = {"role": role}
    content = fields.get("content")
    if content:
        out["content"] = content
    tool_calls = fields.get("tool_calls")
    if tool_calls:
        out["tool_calls"] = [
            {"id": c.get("id"), "name": c.get("name"), "args": c.get("args")} for c in tool_calls
        ]
    tool_call_id = fields.get("tool_call_id")
    if tool_call_id:
        out["tool_call_id"] = tool_call_id
    name = fields.get("name")
    if name:
        out["name"] = name
    return out


# The JSON of a message, kept per message object: the same message objects reach one span
# after another (the graph's input, each node's state, every later model call's prompt), and
# encoding them again (a tool result is escaped once per span it appears in) was most of
# this handler's cost. The key holds the message's ``id`` because LangGraph fills in a
# missing one in place; otherwise a message is treated as unchanged once sent, as LangChain
# does. An entry holds the message itself, so its ``id()`` cannot be reused while cached.
_MESSAGE_JSON: dict[tuple[int, Any], tuple[BaseMessage, str]] = {}
_PLAIN_JSON: dict[tuple[int, Any], tuple[BaseMessage, str, list[tuple[str, Any]]]] = {}
_MESSAGE_CACHE_MAX = 4096


def _forget_messages() -> None:
    """Empty the message caches (when a trace's root run ends).

    Most reuse is within one trace, and a cache that outlived it would keep its messages
    alive: long-lived objects that make Python's full garbage collections more frequent,
    which cost more than the encoding saved.
    """
    _MESSAGE_JSON.clear()
    _PLAIN_JSON.clear()


def _message_json(message: BaseMessage) -> str:
    """JSON of ``{"type", "data"}`` for ``message`` (what :func:`_default` gives), cached."""
    key = (id(message), message.__dict__.get("id"))
    hit = _MESSAGE_JSON.get(key)
    if hit is not None and hit[0] is message:
        return hit[1]
    text = _ENCODER.encode({"type": message.type, "data": _message_data(message)})
    if len(_MESSAGE_JSON) >= _MESSAGE_CACHE_MAX:
        _MESSAGE_JSON.clear()
    _MESSAGE_JSON[key] = (message, text)
    return text


def _plain_json(message: BaseMessage) -> tuple[str, list[tuple[str, Any]]]:
    """JSON of :func:`_plain_message` of ``message`` and its :func:`_message_attributes`,
    cached."""
    key = (id(message), message.__dict__.get("id"))
    hit = _PLAIN_JSON.get(key)
    if hit is not None and hit[0] is message:
        return hit[1], hit[2]
    plain = _plain_message(message)
    text = _ENCODER.encode(plain)
    pairs = _message_attributes(plain)
    if len(_PLAIN_JSON) >= _MESSAGE_CACHE_MAX:
        _PLAIN_JSON.clear()
    _PLAIN_JSON[key] = (message, text, pairs)
    return text, pairs


def _encode(value: Any) -> str:
    """``_dumps(value)``, with messages (alone, in lists, in a dict's values) from the cache.

    The text is the same as ``_dumps`` gives: ``json``'s default separators, keys in order.
    """
    if isinstance(value, BaseMessage):
        return _message_json(value)
    if isinstance(value, list) and value and all(isinstance(v, BaseMessage) for v in value):
        return "[" + ", ".join([_message_json(v) for v in value]) + "]"
    if (
        type(value) is dict
        and value
        and all(type(k) is str for k in value)
        and any(isinstance(v, (BaseMessage, list)) for v in value.values())
    ):
        items = [_encode_key(k) + ": " + _encode(v) for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    return _dumps(value)


def _message_attributes(plain: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """OpenInference's ``<prefix>.message.*`` attributes of one plain message, as
    ``(suffix, value)`` pairs (the prefix is the message's place: ``llm.input_messages.3``)."""
    out: list[tuple[str, Any]] = [(".message.role", plain["role"])]
    content = plain.get("content")
    if isinstance(content, str):
        out.append((".message.content", content))
    elif isinstance(content, list):
        for j, part in enumerate(content):
            base = f".message.contents.{j}.message_content"
            if isinstance(part, str):
                out += [(f"{base}.type", "text"), (f"{base}.text", part)]
            elif isinstance(part, Mapping) and part.get("type") == "text":
                out += [(f"{base}.type", "text"), (f"{base}.text", str(part.get("text", "")))]
            elif isinstance(part, Mapping) and part.get("type") == "image_url":
                url = part.get("image_url")
                url = url.get("url") if isinstance(url, Mapping) else url
                out += [(f"{base}.type", "image"), (f"{base}.image.image.url", str(url))]
    for j, call in enumerate(plain.get("tool_calls") or ()):
        base = f".message.tool_calls.{j}.tool_call"
        if call.get("id"):
            out.append((f"{base}.id", call["id"]))
        out.append((f"{base}.function.name", call.get("name") or ""))
        out.append((f"{base}.function.arguments", _dumps(call.get("args") or {})))
    if plain.get("tool_call_id"):
        out.append((".message.tool_call_id", plain["tool_call_id"]))
    if plain.get("name"):
        out.append((".message.name", plain["name"]))
    return out


def _write_message(prefix: str, pairs: list[tuple[str, Any]], attrs: dict[str, Any]) -> None:
    """Write one message's ``<prefix>.message.*`` attributes (the pairs of
    :func:`_message_attributes`) into ``attrs``."""
    for suffix, value in pairs:
        attrs[prefix + suffix] = value


def _looks_like_json(text: str) -> bool:
    # The instrumentor's heuristic (no parse): Phoenix renders a bad one as text anyway.
    stripped = text.strip()
    return (stripped[:1] == "{" and stripped[-1:] == "}") or (
        stripped[:1] == "[" and stripped[-1:] == "]"
    )


def _io(prefix: str, values: Any, attrs: dict[str, Any]) -> None:
    """``input.*`` / ``output.*`` for a run's inputs or outputs, as the instrumentor writes
    them: a lone string as it is, else JSON. A value that is not a mapping stands for
    ``{"input": value}`` / ``{"output": value}``, as LangChain's tracers record it."""
    if not isinstance(values, Mapping):
        values = {prefix: values}
    if not values:
        return
    if len(values) == 1:
        ((key, value),) = values.items()
        if isinstance(value, str):
            attrs[f"{prefix}.value"] = value
            if _looks_like_json(value):
                attrs[f"{prefix}.mime_type"] = _JSON
            return
        if key in ("input", "output"):
            text = _encode(value)
            attrs[f"{prefix}.value"] = text
            if _looks_like_json(text):
                attrs[f"{prefix}.mime_type"] = _JSON
            return
    attrs[f"{prefix}.value"] = _encode({str(k): v for k, v in values.items()})
    attrs[f"{prefix}.mime_type"] = _JSON


def _error_text(error: BaseException) -> str:
    """LangChain tracers' ``run.error`` (``_TracerCore._get_stacktrace``), which the
    instrumentor made the span's status description: the error's repr, then its traceback
    (joined as LangChain joins it)."""
    message = repr(error)
    try:
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        return (message + "\n\n".join(lines)).strip()
    except Exception:  # noqa: BLE001
        return message


def _first(mapping: Any, keys: Sequence[str]) -> Any:
    if not isinstance(mapping, Mapping):
        return None
    for key in keys:
        value = mapping.get(key)
        if value:
            return value
    return None


# OpenTelemetry's default limit of attributes per span is 128, and when a span is full the
# SDK drops its oldest attribute (with a warning each time). A long conversation gives an LLM
# span more than that; rather than lose whatever came first (the span kind, the input), the
# handler leaves out the earliest input messages' flattened attributes (``input.value``
# keeps every message).
_MAX_ATTRIBUTES = 128
_INPUT_MESSAGE = re.compile(r"^llm\.input_messages\.(\d+)\.")


def _drop_oldest_messages(attrs: dict[str, Any]) -> None:
    """Remove whole input messages, oldest first, until ``attrs`` fits the span's limit."""
    by_message: dict[int, list[str]] = {}
    for key in attrs:
        match = _INPUT_MESSAGE.match(key)
        if match:
            by_message.setdefault(int(match.group(1)), []).append(key)
    for index in sorted(by_message):
        if len(attrs) <= _MAX_ATTRIBUTES:
            return
        for key in by_message[index]:
            del attrs[key]


# (context, its attributes): the last context read. One tuple, replaced whole, so a thread
# never pairs one context with another's attributes.
_last_context: tuple[Any, tuple[tuple[str, Any], ...]] = (None, ())


def _context_attributes() -> tuple[tuple[str, Any], ...]:
    """OpenInference's context attributes (``using_session``, ``using_prompt_template``...).

    Contexts are immutable, and most runs end in the same one as the run before, so the
    last answer is kept for the context object it was read from.
    """
    global _last_context
    current = context_api.get_current()
    last = _last_context
    if last[0] is current:
        return last[1]
    attributes = tuple(get_attributes_from_context())
    _last_context = (current, attributes)
    return attributes


class _Run:
    """An open run: its span and what its end needs from its start."""

    __slots__ = ("span", "attributes", "metadata", "invocation", "root")

    def __init__(
        self, span: Span, attributes: dict[str, Any], metadata: Any, invocation: Any, root: bool
    ) -> None:
        self.span = span
        self.root = root  # no parent run: its end ends the trace's use of the message cache
        # Written to the span once, when the run ends (one attribute update, not two).
        self.attributes = attributes
        self.metadata = metadata
        self.invocation = invocation


class SpanHandler(BaseCallbackHandler):
    """A LangChain callback handler that writes one OpenInference span per run.

    Installed process-wide by :func:`install` (every callback manager LangChain creates
    gets it, as OpenInference's instrumentor does with its own tracer). Parents follow
    LangChain's run tree; a run without a parent run joins the current OpenTelemetry context
    (so a run inside ``tracer.start_as_current_span(...)`` nests under that span). Runs
    inline and never raises: tracing must not change what the traced code does.
    """

    run_inline = True
    raise_error = False

    def __init__(self, tracer: trace_api.Tracer) -> None:
        super().__init__()
        self._tracer = tracer
        # RunTracer opens a child span without building a Context first; any other tracer
        # is given the parent in one.
        start_child = getattr(tracer, "start_child", None)
        self._start_child = start_child or (
            lambda name, parent: tracer.start_span(
                name, context=trace_api.set_span_in_context(parent)
            )
        )
        # Dict operations are atomic under the GIL; LangGraph may run nodes on threads.
        self._runs: dict[UUID, _Run] = {}

    # -- bookkeeping ---------------------------------------------------------------------

    def span_of(self, run_id: UUID) -> Span | None:
        """The open span of LangChain run ``run_id``, or None."""
        run = self._runs.get(run_id)
        return None if run is None else run.span

    def _start(
        self,
        name: str,
        kind: str,
        run_id: UUID,
        parent_run_id: UUID | None,
        metadata: Any,
        attrs: dict[str, Any],
        invocation: Any = None,
    ) -> None:
        parent = self._runs.get(parent_run_id) if parent_run_id is not None else None
        if "agent" in name.lower():
            kind = "AGENT"
        attrs["openinference.span.kind"] = kind
        if parent is None:
            span = self._tracer.start_span(name)
        else:
            span = self._start_child(name, parent.span)
        self._runs[run_id] = _Run(span, attrs, metadata, invocation, parent is None)

    def _end(self, run_id: UUID, attrs: dict[str, Any], error: BaseException | None) -> None:
        run = self._runs.pop(run_id, None)
        if run is None:
            return
        span = run.span
        try:
            attrs = {**run.attributes, **attrs}
            attrs.update(_context_attributes())
            metadata = run.metadata
            if metadata:
                session = _first(metadata, _SESSION_KEYS)
                if session:
                    attrs["session.id"] = session
                context_metadata = context_api.get_value("metadata")
                if isinstance(context_metadata, str):
                    try:
                        extra = json.loads(context_metadata)
                    except ValueError:
                        extra = None
                    if isinstance(extra, Mapping):
                        metadata = {**extra, **metadata}
                attrs["metadata"] = _dumps(metadata)
            if len(attrs) > _MAX_ATTRIBUTES:
                _drop_oldest_messages(attrs)
            span.set_attributes(attrs)
            if error is None:
                span.set_status(StatusCode.OK)
            else:
                text = _error_text(error)
                if _CONTROL_FLOW.match(text):
                    span.set_status(StatusCode.OK)
                else:
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, text))
        except Exception:  # noqa: BLE001 - a span must never break the run it records
            pass
        span.end()
        if run.root:
            _forget_messages()

    # -- chains (graphs, nodes, prompts, parsers) ----------------------------------------

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        attrs: dict[str, Any] = {}
        _io("input", inputs, attrs)
        run_type = kwargs.get("run_type") or "chain"
        if run_type == "prompt":
            _prompt_template(serialized, inputs, attrs)
        kind = run_type.upper() if run_type.upper() in _KINDS else "CHAIN"
        name = _run_name(serialized, kwargs)
        self._start(name, kind, run_id, parent_run_id, metadata, attrs)

    def on_chain_end(
        self, outputs: Any, *, run_id: UUID, inputs: Any = None, **kwargs: Any
    ) -> None:
        attrs: dict[str, Any] = {}
        if inputs is not None and run_id in self._runs:
            _io("input", inputs, attrs)
        _io("output", outputs, attrs)
        self._end(run_id, attrs, None)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, {}, error)

    # -- models --------------------------------------------------------------------------

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        attrs: dict[str, Any] = {}
        # {"messages": [[plain, ...], ...]}, as _dumps would write it, from cached parts.
        batches = [[_plain_json(m) for m in batch] for batch in messages]
        rows = ["[" + ", ".join([text for text, _ in batch]) + "]" for batch in batches]
        attrs["input.value"] = '{"messages": [' + ", ".join(rows) + "]}"
        attrs["input.mime_type"] = _JSON
        if batches:
            for i, (_, pairs) in enumerate(batches[0]):
                _write_message(f"llm.input_messages.{i}", pairs, attrs)
        invocation = kwargs.get("invocation_params")
        _llm_start_attributes(invocation, metadata, attrs)
        name = _run_name(serialized, kwargs)
        self._start(name, "LLM", run_id, parent_run_id, metadata, attrs, invocation)

    def on_llm_start(
        self,
        serialized: dict[str, Any] | None,
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        attrs: dict[str, Any] = {"llm.prompts": list(prompts)}
        _io("input", {"prompts": list(prompts)}, attrs)
        invocation = kwargs.get("invocation_params")
        _llm_start_attributes(invocation, metadata, attrs)
        name = _run_name(serialized, kwargs)
        self._start(name, "LLM", run_id, parent_run_id, metadata, attrs, invocation)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        attrs: dict[str, Any] = {}
        if run is not None:
            try:
                _llm_end_attributes(response, run, attrs)
            except Exception:  # noqa: BLE001
                pass
        self._end(run_id, attrs, None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, {}, error)

    # -- tools ---------------------------------------------------------------------------

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        attrs: dict[str, Any] = {}
        # LangChain's tracers record the tool's parsed arguments when it passes them.
        _io(
            "input",
            inputs if isinstance(inputs, Mapping) and inputs else {"input": input_str},
            attrs,
        )
        serialized = serialized or {}
        if serialized.get("name"):
            attrs["tool.name"] = serialized["name"]
        if serialized.get("description"):
            attrs["tool.description"] = serialized["description"]
        name = _run_name(serialized, kwargs)
        self._start(name, "TOOL", run_id, parent_run_id, metadata, attrs)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        attrs: dict[str, Any] = {}
        content = output.content if isinstance(output, BaseMessage) else output
        if content is not None:
            _io("output", content, attrs)
        self._end(run_id, attrs, None)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, {}, error)

    # -- retrievers ----------------------------------------------------------------------

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        attrs: dict[str, Any] = {}
        _io("input", {"query": query}, attrs)
        name = _run_name(serialized, kwargs)
        self._start(name, "RETRIEVER", run_id, parent_run_id, metadata, attrs)

    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID, **kwargs: Any) -> None:
        attrs: dict[str, Any] = {}
        _io("output", {"documents": list(documents)}, attrs)
        for i, doc in enumerate(documents):
            base = f"retrieval.documents.{i}.document"
            content = getattr(doc, "page_content", None)
            if content:
                attrs[f"{base}.content"] = content
            doc_id = getattr(doc, "id", None)
            if doc_id:
                attrs[f"{base}.id"] = str(doc_id)
            meta = getattr(doc, "metadata", None)
            if meta:
                attrs[f"{base}.metadata"] = _dumps(meta)
        self._end(run_id, attrs, None)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, {}, error)

    # LangGraph sends its graph-level lifecycle events to every handler; nothing to record.
    def on_interrupt(self, event: Any) -> None:
        """No span work for a LangGraph interrupt."""

    def on_resume(self, event: Any) -> None:
        """No span work for a LangGraph resume."""


_KINDS = frozenset(
    ("CHAIN", "LLM", "TOOL", "RETRIEVER", "EMBEDDING", "AGENT", "RERANKER", "PROMPT")
)


def _run_name(serialized: Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> str:
    """The run's name as LangChain's tracers give it (so span names are the instrumentor's)."""
    name = kwargs.get("name")
    if name:
        return str(name)
    if serialized:
        if serialized.get("name"):
            return str(serialized["name"])
        ids = serialized.get("id")
        if ids:
            return str(ids[-1])
    return "Unnamed"


def _prompt_template(serialized: Any, inputs: Any, attrs: dict[str, Any]) -> None:
    """``llm.prompt_template.*`` for a (Chat)PromptTemplate run, as the instrumentor does."""
    kwargs = serialized.get("kwargs") if isinstance(serialized, Mapping) else None
    if not isinstance(kwargs, Mapping) or not isinstance(inputs, Mapping):
        return
    messages = kwargs.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
        partial = kwargs.get("partial_variables")
        if isinstance(partial, Mapping):
            inputs = {**partial, **inputs}
        _prompt_template(messages[0], inputs, attrs)
        return
    prompt = kwargs.get("prompt")
    if isinstance(prompt, Mapping):
        _prompt_template(prompt, inputs, attrs)
        return
    template = kwargs.get("template")
    if isinstance(template, str):
        attrs["llm.prompt_template.template"] = template
        names = kwargs.get("input_variables") or []
        variables = {v: inputs[v] for v in names if inputs.get(v) is not None}
        if variables:
            attrs["llm.prompt_template.variables"] = _dumps(variables)


# The JSON of a bound tool list, by the list's identity: every call through one binding
# passes the same list object, and the schemas are the dearest part of an LLM span's
# attributes (8 tools are a few kilobytes, written twice: in the invocation parameters and
# one by one). An entry holds the list itself, so its id cannot be reused while cached; a
# tool list is not expected to change after binding (LangChain copies it into the request).
_TOOLS_JSON: dict[int, tuple[Any, str, list[str]]] = {}
_TOOLS_JSON_MAX = 256
# Stands for the tool list while the rest of the invocation parameters are encoded, then
# replaced by the cached JSON (key order as ``json.dumps`` of the whole would give).
_TOOLS_MARK = "\x00infralab:tools\x00"
_TOOLS_MARK_JSON = json.dumps(_TOOLS_MARK)


def _tools_json(tools: Sequence[Any]) -> tuple[str, list[str]]:
    """``(json of the list, json of each tool)``, cached for the list object."""
    hit = _TOOLS_JSON.get(id(tools))
    if hit is not None and hit[0] is tools:
        return hit[1], hit[2]
    each = [_dumps(tool) for tool in tools]
    whole = "[" + ", ".join(each) + "]"  # json.dumps's own separators
    if len(_TOOLS_JSON) >= _TOOLS_JSON_MAX:
        _TOOLS_JSON.clear()
    _TOOLS_JSON[id(tools)] = (tools, whole, each)
    return whole, each


def _llm_start_attributes(invocation: Any, metadata: Any, attrs: dict[str, Any]) -> None:
    """Invocation parameters, tool schemas and provider of an LLM span."""
    if isinstance(invocation, Mapping) and invocation:
        tools = invocation.get("tools")
        if isinstance(tools, list | tuple) and tools:
            whole, each = _tools_json(tools)
            text = _dumps({**invocation, "tools": _TOOLS_MARK})
            attrs["llm.invocation_parameters"] = text.replace(_TOOLS_MARK_JSON, whole, 1)
            for i, tool_json in enumerate(each):
                attrs[f"llm.tools.{i}.tool.json_schema"] = tool_json
        else:
            attrs["llm.invocation_parameters"] = _dumps(invocation)
    provider = metadata.get("ls_provider") if isinstance(metadata, Mapping) else None
    if isinstance(provider, str) and provider:
        lower = provider.lower()
        attrs["llm.provider"] = _PROVIDER.get(lower, lower)
        if lower in _SYSTEM:
            attrs["llm.system"] = _SYSTEM[lower]


def _llm_end_attributes(response: Any, run: _Run, attrs: dict[str, Any]) -> None:
    """Output messages, model name, token counts and finish reason of an LLM span."""
    generations = getattr(response, "generations", None) or []
    llm_output = getattr(response, "llm_output", None)
    first = generations[0][0] if generations and generations[0] else None
    message = getattr(first, "message", None)
    out_generations = []
    first_plain: dict[str, Any] | None = None
    for batch in generations:
        row = []
        for gen in batch:
            item: dict[str, Any] = {"text": getattr(gen, "text", "")}
            msg = getattr(gen, "message", None)
            if isinstance(msg, BaseMessage):
                plain = _plain_message(msg)
                if msg is message:
                    first_plain = dict(plain)  # without response_metadata
                if msg.response_metadata:
                    plain["response_metadata"] = msg.response_metadata
                item["message"] = plain
            item["generation_info"] = getattr(gen, "generation_info", None)
            row.append(item)
        out_generations.append(row)
    attrs["output.value"] = _dumps({"generations": out_generations, "llm_output": llm_output})
    attrs["output.mime_type"] = _JSON
    if first_plain is not None:
        _write_message("llm.output_messages.0", _message_attributes(first_plain), attrs)
    # llm.model_name: the provider's answer, else LangChain's ls_model_name, else the request.
    name = _first(llm_output, ("model_name", "model"))
    if not name and isinstance(run.metadata, Mapping):
        name = run.metadata.get("ls_model_name")
    if not name:
        name = _first(run.invocation, ("model_name", "model"))
    if isinstance(name, str) and name.strip():
        attrs["llm.model_name"] = name.strip()
    usage = _first(llm_output, ("token_usage", "usage"))
    if isinstance(usage, Mapping) and "prompt_tokens" in usage:
        counts = (usage.get("prompt_tokens"), usage.get("completion_tokens"))
        total = usage.get("total_tokens")
        details: Mapping[str, Any] = {}
        out_details: Mapping[str, Any] = {}
    else:
        meta = getattr(message, "usage_metadata", None) or (
            usage if isinstance(usage, Mapping) and "input_tokens" in usage else None
        )
        if meta:
            counts = (meta.get("input_tokens"), meta.get("output_tokens"))
            total = meta.get("total_tokens")
            details = meta.get("input_token_details") or {}
            out_details = meta.get("output_token_details") or {}
        else:
            counts, total, details, out_details = (None, None), None, {}, {}
    if counts[0] is not None:
        attrs["llm.token_count.prompt"] = counts[0]
    if counts[1] is not None:
        attrs["llm.token_count.completion"] = counts[1]
    if total is not None:
        attrs["llm.token_count.total"] = total
    for key, source, field in (
        ("llm.token_count.prompt_details.cache_read", details, "cache_read"),
        ("llm.token_count.prompt_details.cache_write", details, "cache_creation"),
        ("llm.token_count.prompt_details.audio", details, "audio"),
        ("llm.token_count.completion_details.reasoning", out_details, "reasoning"),
        ("llm.token_count.completion_details.audio", out_details, "audio"),
    ):
        if source.get(field):
            attrs[key] = source[field]
    info = getattr(first, "generation_info", None)
    reason = _first(info, ("finish_reason", "stop_reason"))
    if not reason and isinstance(message, BaseMessage):
        reason = _first(message.response_metadata, ("finish_reason", "stop_reason"))
    if reason:
        attrs["llm.finish_reason"] = str(reason)


# ---------------------------------------------------------------------------------------------
# Installing the handler into every LangChain callback manager

_original_init: Any = None  # BaseCallbackManager.__init__ as it was before install()
_handler: SpanHandler | None = None


def _init_with_handler(self: BaseCallbackManager, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    handler = _handler
    # ``in`` compares by identity here (handlers define no __eq__), faster than any(... is ...).
    if handler is not None and handler not in self.inheritable_handlers:
        self.add_handler(handler, True)


def install(tracer: trace_api.Tracer) -> SpanHandler:
    """Trace every LangChain run in this process onto ``tracer``; returns the handler."""
    global _handler, _original_init
    if BaseCallbackManager.__init__ is not _init_with_handler:
        _original_init = BaseCallbackManager.__init__
    _handler = SpanHandler(tracer)
    BaseCallbackManager.__init__ = _init_with_handler  # type: ignore[method-assign]
    return _handler


def uninstall() -> None:
    """Stop tracing LangChain runs (managers created from now on get no handler)."""
    global _handler
    _handler = None
    if BaseCallbackManager.__init__ is _init_with_handler:
        BaseCallbackManager.__init__ = _original_init  # type: ignore[method-assign]


def installed() -> SpanHandler | None:
    """The installed handler, or None."""
    return _handler


def current_run_span() -> Span | None:
    """The span of the LangChain run the caller is inside (a tool, a node), or None.

    Reads the run from LangChain's current runnable config, as OpenInference's
    ``get_current_span`` does; None when tracing is off or outside any run.
    """
    handler = _handler
    if handler is None:
        return None
    from langchain_core.runnables.config import var_child_runnable_config

    config = var_child_runnable_config.get()
    if not isinstance(config, dict):
        return None
    for value in config.values():
        if isinstance(value, BaseCallbackManager) and value.parent_run_id:
            return handler.span_of(value.parent_run_id)
    return None
