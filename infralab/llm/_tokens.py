"""A deterministic approximation of BPE token counts, with no tokenizer download.

Real providers bill by their tokenizer's counts (``tiktoken`` for OpenAI). The labs need a
count that is close enough to reason about budgets and costs, identical in every process,
and fast, because it runs on every simulated call. The rules, applied to each text:

- a run of ASCII letters costs ``1 + (len - 1) // 6`` tokens (common words are one token,
  long words about one per six letters: "internationalization" costs 4);
- a run of digits costs one token per group of up to three digits ("2026" costs 2), as
  cl100k-style tokenizers split numbers;
- any other non-space character (punctuation, symbols, non-ASCII letters) costs 1;
- a run of whitespace that holds a line break costs 1; plain spaces are free (BPE merges a
  space into the word that follows it).

A message list costs, like OpenAI's published recipe, 4 tokens per message (role and
framing) plus its content, its tool calls (name and JSON arguments) and a ``name`` field,
plus 3 tokens that prime the reply. Bound tool schemas are counted as their JSON text.

Introduced in lab ``00-orientation`` (usage and cost); the context-budgeting labs of track C
build on it. The simulator uses it for ``usage_metadata``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

__all__ = ["count_tokens", "count_message_tokens", "count_tools_tokens"]

#: Tokens of framing per message (role, separators), as in OpenAI's cookbook recipe.
TOKENS_PER_MESSAGE = 4
#: Tokens that prime the assistant's reply.
REPLY_PRIMING_TOKENS = 3
#: Extra token for a message that carries a ``name``.
TOKENS_PER_NAME = 1

# json.dumps with options builds a new JSONEncoder per call; one shared encoder gives the
# same text (it holds no state between calls) for a third of the cost.
_SORTED_JSON = json.JSONEncoder(sort_keys=True, default=str)

# One alternation, so one pass of the regex engine over the text does all the work.
_PIECE = re.compile(r"([A-Za-z]+)|([0-9]+)|(\s*\n\s*)|([^\sA-Za-z0-9])")


def _count(text: str) -> int:
    n = 0
    for letters, digits, _newline, _other in _PIECE.findall(text):
        if letters:
            n += 1 + (len(letters) - 1) // 6
        elif digits:
            n += (len(digits) + 2) // 3
        else:
            n += 1
    return n


# Agent loops send the same history again and again: caching by string makes the repeat cheap.
_count_cached = lru_cache(maxsize=8192)(_count)


def count_tokens(text: str) -> int:
    """Approximate the number of BPE tokens in ``text`` (rules in the module docstring).

    Args:
        text: any string; ``None`` counts as empty.

    Returns:
        A non-negative int, the same in every process.

    Raises:
        TypeError: if ``text`` is not a string.

    Example:
        >>> count_tokens("Hello, world!")
        4
    """
    if text is None:
        return 0
    if not isinstance(text, str):
        raise TypeError(f"count_tokens needs a str, got {type(text).__name__}")
    if len(text) > 100_000:  # do not fill the cache with huge one-off documents
        return _count(text)
    return _count_cached(text)


def _content_tokens(content: Any) -> int:
    """Tokens of a message content: a string, or a list of content blocks."""
    if isinstance(content, str):
        return count_tokens(content)
    if content is None:
        return 0
    n = 0
    if isinstance(content, Sequence):
        for block in content:
            if isinstance(block, str):
                n += count_tokens(block)
            elif isinstance(block, Mapping):
                btype = block.get("type")
                if btype in ("text", "text-plain", None) and isinstance(block.get("text"), str):
                    n += count_tokens(block["text"])
                elif btype in ("image", "image_url"):
                    n += 85  # OpenAI's flat price of a low-detail image
                else:
                    n += count_tokens(_SORTED_JSON.encode(block))
            else:
                n += count_tokens(str(block))
        return n
    return count_tokens(str(content))


def _tool_calls_tokens(tool_calls: Iterable[Any]) -> int:
    n = 0
    for call in tool_calls or ():
        if isinstance(call, Mapping):
            if "function" in call:  # OpenAI wire format
                fn = call["function"] or {}
                name, args = fn.get("name", ""), fn.get("arguments", "")
            else:  # LangChain ToolCall
                name, args = call.get("name", ""), call.get("args", {})
        else:
            name, args = getattr(call, "name", ""), getattr(call, "args", {})
        if not isinstance(args, str):
            args = _SORTED_JSON.encode(args)
        n += 3 + count_tokens(name or "") + count_tokens(args)
    return n


def _one_message_tokens(message: Any) -> int:
    # The hot path first: LangChain messages, read without getattr on missing attributes
    # (slow on Pydantic models). Then OpenAI-style dicts, (role, text) tuples and strings.
    if isinstance(message, BaseMessage):
        n = TOKENS_PER_MESSAGE + _content_tokens(message.content)
        if isinstance(message, AIMessage) and message.tool_calls:
            n += _tool_calls_tokens(message.tool_calls)
        if message.name:
            n += TOKENS_PER_NAME + count_tokens(str(message.name))
        return n
    if isinstance(message, str):
        return TOKENS_PER_MESSAGE + count_tokens(message)
    if isinstance(message, tuple) and len(message) == 2:
        return TOKENS_PER_MESSAGE + _content_tokens(message[1])
    if isinstance(message, Mapping):
        n = TOKENS_PER_MESSAGE + _content_tokens(message.get("content"))
        n += _tool_calls_tokens(message.get("tool_calls") or ())
        if message.get("name"):
            n += TOKENS_PER_NAME + count_tokens(str(message["name"]))
        return n
    if hasattr(message, "content"):
        n = TOKENS_PER_MESSAGE + _content_tokens(message.content)
        n += _tool_calls_tokens(getattr(message, "tool_calls", None) or ())
        name = getattr(message, "name", None)
        if name:
            n += TOKENS_PER_NAME + count_tokens(str(name))
        return n
    raise TypeError(
        f"cannot count tokens of a {type(message).__name__}: expected a LangChain message, "
        "a dict with 'role' and 'content', a (role, text) tuple or a str"
    )


def count_tools_tokens(tools: Sequence[Any] | None) -> int:
    """Tokens that bound tool schemas add to a request (their JSON text, key-sorted).

    Args:
        tools: tool schemas in OpenAI format (what ``bind_tools`` stores), or None.
    """
    if not tools:
        return 0
    return count_tokens(_SORTED_JSON.encode(list(tools)))


def count_message_tokens(messages: Iterable[Any], tools: Sequence[Any] | None = None) -> int:
    """Approximate the prompt tokens of a chat request, as a provider would bill them.

    Args:
        messages: LangChain messages, OpenAI-style dicts (``role``, ``content``,
            ``tool_calls``, ``name``), ``(role, text)`` tuples, or a single string.
        tools: bound tool schemas (OpenAI format), counted as their JSON text.

    Returns:
        ``4`` per message + content + tool calls + names, ``+ 3`` for the reply, + tools.

    Raises:
        TypeError: for a message of an unsupported type (the error names it).

    Example:
        >>> count_message_tokens([("user", "Hello, world!")])
        11
    """
    if isinstance(messages, str):
        messages = [messages]
    total = REPLY_PRIMING_TOKENS
    for i, message in enumerate(messages):
        try:
            total += _one_message_tokens(message)
        except TypeError as exc:
            raise TypeError(f"message {i}: {exc}") from None
    return total + count_tools_tokens(tools)
