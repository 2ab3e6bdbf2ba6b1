"""Scripts: the outputs a unit test or a lab dictates to :class:`SimChatModel`, in order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from infralab.llm._draw import Reply

__all__ = ["ScriptExhaustedError", "ScriptError", "check_item", "to_reply", "ScriptFn"]

#: A callable script: ``fn(messages, tools) -> item`` (or None to fall back to the oracle/rules).
ScriptFn = Callable[[list[BaseMessage], list[dict[str, Any]]], Any]

_ITEM_KINDS = (
    "a str, an AIMessage, a dict with 'content' and/or 'tool_calls', or an exception to raise"
)


class ScriptExhaustedError(RuntimeError):
    """The model was called more times than its script has outputs.

    Not a :class:`~infralab.llm.errors.ProviderError`, so retry logic does not swallow it: a
    script that is too short is a bug in the test or lab, not a provider failure.
    """


class ScriptError(ValueError):
    """A script item that the simulator cannot turn into an output (the message says which)."""


def _check_tool_calls(calls: Any, where: str) -> None:
    if not isinstance(calls, Sequence) or isinstance(calls, str):
        raise ScriptError(f"{where}: 'tool_calls' must be a list, got {type(calls).__name__}")
    for j, call in enumerate(calls):
        if not isinstance(call, Mapping) or not isinstance(call.get("name"), str):
            raise ScriptError(f"{where}: tool_calls[{j}] must be a dict with a str 'name'")
        if not isinstance(call.get("args", {}), Mapping):
            raise ScriptError(f"{where}: tool_calls[{j}]['args'] must be a dict")
        unknown = set(call) - {"name", "args", "id", "type"}
        if unknown:
            raise ScriptError(f"{where}: tool_calls[{j}] has unknown keys {sorted(unknown)}")


def check_item(item: Any, where: str) -> None:
    """Raise :class:`ScriptError` naming ``where`` if ``item`` is not a valid script output."""
    if isinstance(item, str | AIMessage | BaseException):
        return
    if isinstance(item, type) and issubclass(item, BaseException):
        return
    if isinstance(item, Mapping):
        unknown = set(item) - {"content", "tool_calls"}
        if unknown or not item:
            raise ScriptError(
                f"{where}: a dict output takes 'content' and/or 'tool_calls', "
                f"got keys {sorted(item) or '(none)'}"
            )
        if "content" in item and not isinstance(item["content"], str):
            raise ScriptError(f"{where}: 'content' must be a str")
        if "tool_calls" in item:
            _check_tool_calls(item["tool_calls"], where)
        return
    raise ScriptError(f"{where}: expected {_ITEM_KINDS}; got {type(item).__name__}")


def to_reply(item: Any, where: str) -> Reply:
    """Turn a script item into a :class:`Reply`; raise it if it is an exception."""
    check_item(item, where)
    if isinstance(item, BaseException):
        raise item
    if isinstance(item, type) and issubclass(item, BaseException):
        raise item()
    if isinstance(item, str):
        return Reply(content=item, source="script")
    if isinstance(item, AIMessage):
        calls = [
            {"name": c["name"], "args": dict(c.get("args") or {}), "id": c.get("id")}
            for c in item.tool_calls
        ]
        content = item.content if isinstance(item.content, str) else item.text
        usage = dict(item.usage_metadata) if item.usage_metadata else None
        finish = (item.response_metadata or {}).get("finish_reason")
        return Reply(
            content=content, tool_calls=calls, usage=usage, finish_reason=finish, source="script"
        )
    calls = [
        {"name": c["name"], "args": dict(c.get("args") or {}), "id": c.get("id")}
        for c in item.get("tool_calls", [])
    ]
    return Reply(content=item.get("content", ""), tool_calls=calls, source="script")
