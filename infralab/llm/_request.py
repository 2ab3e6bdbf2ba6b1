"""One chat request as the simulator sees it: messages, bound tools, tool choice, format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import is_
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

__all__ = ["BoundTools", "Request", "bound_tools", "text_of", "tool_parameters"]


def text_of(content: Any) -> str:
    """The text of a message content (a str, or a list of content blocks)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Mapping) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "\n".join(parts)


_NO_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}}


def tool_parameters(tool: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(name, JSON-schema parameters)`` of a tool in OpenAI format (or a bare function)."""
    fn = tool.get("function", tool) if isinstance(tool, Mapping) else {}
    name = str(fn.get("name", ""))
    params = fn.get("parameters") or _NO_PARAMETERS
    return name, params  # not copied: the same object each call lets callers memoize by it


class BoundTools:
    """A binding's tool list, read once: the tool dicts, their parameter schemas by name, and
    whatever else callers derive from them alone (``memo``: the simulator's digest and token
    count, the oracle's handoffs and routers).

    A binding passes the same list object on every call, so the entry is kept per list or
    tuple (checked by identity and by the identity of every item, the entry holding them so
    their ids are not reused; a list changed in place gets a new entry). Tool dicts are
    treated as immutable once bound. Callers get copies of ``kept`` and ``params`` and never
    mutate the schemas.
    """

    __slots__ = ("source", "items", "kept", "params", "memo")

    def __init__(self, tools: Sequence[Any]) -> None:
        self.source = tools
        self.items = tuple(tools)
        self.kept: list[Any] = [t for t in self.items if isinstance(t, Mapping)]
        self.params: dict[str, dict[str, Any]] = {}
        for t in self.kept:
            name, p = tool_parameters(t)
            if name:
                self.params[name] = p
        self.memo: dict[str, Any] = {}

    def matches(self, tools: Sequence[Any]) -> bool:
        items = self.items
        return self.source is tools and len(items) == len(tools) and all(map(is_, items, tools))


_BOUND: dict[int, BoundTools] = {}


def bound_tools(tools: Any) -> BoundTools | None:
    """The :class:`BoundTools` of a binding's tool list (None for no tools)."""
    if not tools:
        return None
    hit = _BOUND.get(id(tools))
    if hit is not None and hit.matches(tools):
        return hit
    entry = BoundTools(tools)
    if isinstance(tools, list | tuple):
        if len(_BOUND) >= 256:
            _BOUND.clear()
        _BOUND[id(tools)] = entry
    return entry


@dataclass
class Request:
    """A normalized request.

    Attributes:
        messages: the prompt.
        tools: bound tools in OpenAI format.
        params: tool name -> its parameters schema, in binding order.
        forced: the tool the caller forces (``tool_choice`` naming it, or "required" with
            exactly one tool), else None.
        must_call: ``tool_choice`` is "required"/"any" (some tool must be called).
        no_tools: ``tool_choice`` is "none".
        response_schema: JSON schema the text reply must satisfy (``response_format``), or
            None; ``{}`` means any JSON object (``json_object`` mode).
        max_tokens: an output-token cap bound by the caller, or None.
        stop: stop sequences.
        parallel_tool_calls: the caller's ``parallel_tool_calls`` (None: the profile decides).
        response_method: ``"json_schema"`` or ``"json_mode"`` when ``response_format`` asks
            for one, else None.
        strict_schema: ``response_format`` is a json_schema with ``strict: true``.
        prompt_schema: the JSON schema a prompt-only request asks for in its text ("reply in
            JSON ..."), set by the simulator when no tool is forced and no response_format is
            given; None otherwise.
    """

    messages: list[BaseMessage]
    tools: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    forced: str | None = None
    must_call: bool = False
    no_tools: bool = False
    response_schema: dict[str, Any] | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    parallel_tool_calls: bool | None = None
    response_method: str | None = None
    strict_schema: bool = False
    prompt_schema: dict[str, Any] | None = None
    _features: Any = field(default=None, repr=False, compare=False)
    #: The binding's tools as read once (None without tools or for a hand-made request).
    bound: BoundTools | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        messages: Sequence[BaseMessage],
        *,
        tools: Sequence[Any] | None = None,
        tool_choice: Any = None,
        response_format: Any = None,
        response_schema: Any = None,
        max_tokens: Any = None,
        stop: list[str] | None = None,
        parallel_tool_calls: Any = None,
    ) -> Request:
        bound = bound_tools(tools)
        forced: str | None = None
        must_call = no_tools = False
        if isinstance(tool_choice, Mapping):
            fn = tool_choice.get("function") or tool_choice
            forced = fn.get("name") if isinstance(fn, Mapping) else None
        elif isinstance(tool_choice, str):
            if tool_choice in ("required", "any"):
                must_call = True
            elif tool_choice == "none":
                no_tools = True
            elif tool_choice != "auto" and bound is not None and tool_choice in bound.params:
                forced = tool_choice
        elif tool_choice is True:
            must_call = True
        if must_call and bound is not None and len(bound.params) == 1:
            forced = next(iter(bound.params))
        if forced is not None:
            must_call = True
        schema = response_schema
        method: str | None = None
        strict_schema = False
        if isinstance(response_format, Mapping):
            if response_format.get("type") == "json_schema":
                method = "json_schema"
                js = response_format.get("json_schema") or {}
                strict_schema = js.get("strict") is True
                if schema is None:
                    schema = dict(js.get("schema") or {})
            elif response_format.get("type") == "json_object":
                method = "json_mode"
                if schema is None:
                    schema = {}
        elif schema is None and isinstance(response_format, type):
            from langchain_core.utils.function_calling import convert_to_json_schema

            schema = convert_to_json_schema(response_format)
        return cls(
            messages=list(messages),
            tools=list(bound.kept) if bound is not None else [],
            params=dict(bound.params) if bound is not None else {},
            forced=forced,
            must_call=must_call,
            no_tools=no_tools,
            response_schema=schema,
            max_tokens=int(max_tokens) if isinstance(max_tokens, int | float) else None,
            stop=list(stop) if stop else None,
            parallel_tool_calls=parallel_tool_calls
            if isinstance(parallel_tool_calls, bool)
            else None,
            response_method=method,
            strict_schema=strict_schema,
            bound=bound,
        )

    def features(self) -> Any:
        """The request's :class:`~infralab.llm._features.PromptFeatures` (computed once)."""
        if self._features is None:
            from infralab.llm._features import PromptFeatures

            self._features = PromptFeatures(self)
        return self._features

    def strict_tool(self, name: str) -> bool:
        """Is the bound tool ``name`` declared with ``strict: true`` (strict function calling)?"""
        for t in self.tools:
            fn = t.get("function", t)
            if isinstance(fn, Mapping) and fn.get("name") == name:
                return fn.get("strict") is True
        return False

    # -- views of the history ------------------------------------------------------------

    def first_human(self) -> str | None:
        for m in self.messages:
            if isinstance(m, HumanMessage):
                return text_of(m.content)
        return None

    def last_human(self) -> str:
        for m in reversed(self.messages):
            if isinstance(m, HumanMessage):
                return text_of(m.content)
        return ""

    def human_count(self) -> int:
        return sum(isinstance(m, HumanMessage) for m in self.messages)

    def ai_count(self) -> int:
        return sum(isinstance(m, AIMessage) for m in self.messages)

    def last(self) -> BaseMessage | None:
        return self.messages[-1] if self.messages else None

    def answered_tool_calls(self) -> list[dict[str, Any]]:
        """Tool calls in the history that have a ``ToolMessage`` result, oldest first."""
        results = {m.tool_call_id for m in self.messages if isinstance(m, ToolMessage)}
        calls: list[dict[str, Any]] = []
        for m in self.messages:
            if isinstance(m, AIMessage):
                for call in m.tool_calls:
                    if call.get("id") in results:
                        calls.append(dict(call))
        return calls

    def all_tool_calls(self) -> list[dict[str, Any]]:
        return [dict(c) for m in self.messages if isinstance(m, AIMessage) for c in m.tool_calls]

    def tool_outputs(self) -> list[str]:
        return [text_of(m.content) for m in self.messages if isinstance(m, ToolMessage)]
