"""Features of a request that the behaviour cards react to, read off the prompt deterministically.

Every detector is a plain function of the request's text (regular expressions, JSON parsing,
base64), documented in docs/behaviour-cards.md with what counts and what does not, so a learner
can predict which prompt change moves which rate. Detectors are cached by text, because agent
loops send the same system prompt on every call.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from functools import cached_property, lru_cache
from typing import Any

from langchain_core.messages import SystemMessage

from infralab.llm._request import Request, text_of
from infralab.llm._tokens import count_message_tokens

__all__ = [
    "PromptFeatures",
    "spotlight_form",
    "word_limit",
    "prompt_json_schema",
    "schema_complexity",
    "SPOTLIGHT_FORMS",
]

#: How an injected text can appear in a message, least to most protected.
SPOTLIGHT_FORMS = ("plain", "delimited", "datamarked", "encoded")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if s.strip()]


# -- spotlighting ------------------------------------------------------------------------

# Characters and tokens that datamarking puts between words (Hines et al. use U+02C6 "ˆ").
_MARKERS = re.compile(r"[\^ˆ‡§¦|~•·¤]|\[[A-Za-z0-9_]{1,16}\]|<[A-Za-z0-9_]{1,16}/>")
_OPEN_TAG = re.compile(r"<([a-z][\w-]{0,40})(?:\s[^<>]*)?>")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
_BORDERS = ("```", '"""', "<<", "===", "---", "###", "***", "[[")
_CLOSERS = {"<<": ">>", "[[": "]]"}


def _delimited(before: str, after: str) -> bool:
    """Is the whole message (``before`` + injection + ``after``) wrapped in a delimiter pair?

    Only a wrapper around the entire untrusted content counts, as an agent adds it: an attack
    that brings its own tags (AgentDojo's ``<INFORMATION>``) is not a defence.
    """
    head, tail = before.lstrip(), after.rstrip()
    tag = _OPEN_TAG.match(head)
    if tag is not None and tail.endswith(f"</{tag.group(1)}>"):
        return True
    for opener in _BORDERS:
        if head.startswith(opener) and tail.endswith(_CLOSERS.get(opener, opener)):
            return True
    return False


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def _views(text: str) -> list[str]:
    """The text, plus the string values inside it when it is JSON (escapes would hide them)."""
    views = [text]
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            views.append("\n".join(_json_strings(json.loads(stripped))))
        except ValueError:
            pass
    return views


@lru_cache(maxsize=4096)
def spotlight_form(text: str, needle: str) -> str | None:
    """How ``needle`` (an injected instruction) appears in ``text``, or None if it does not.

    ``"plain"``: as is; ``"delimited"``: the whole message is wrapped in a delimiter pair (an
    XML-style tag pair, ``<<`` ``>>``, triple backticks or quotes, ``===``/``---``/``###``
    borders); ``"datamarked"``: its
    words joined by a marker (``ˆ``, ``^``, ``|``, ``~``, ``[MARK]``, ...) instead of spaces;
    ``"encoded"``: inside a base64 block. Case and whitespace are folded.
    """
    want = _fold(needle)
    if not want:
        return None
    for view in _views(text):
        folded = _fold(view)
        at = folded.find(want)
        if at >= 0:
            before, after = folded[:at], folded[at + len(want) :]
            return "delimited" if _delimited(before, after) else "plain"
    demarked = _fold(_MARKERS.sub(" ", text))
    if want in demarked and _MARKERS.search(text):
        return "datamarked"
    for block in _BASE64.findall(text):
        try:
            decoded = base64.b64decode(block + "=" * (-len(block) % 4), validate=True)
            plain = decoded.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if want in _fold(plain):
            return "encoded"
    return None


# -- instructions in the system prompt -----------------------------------------------------

_NEGATE = re.compile(r"\b(?:ignore|disregard|never|not|don't|do not|dont|avoid|refuse)\b")
_FOLLOW = re.compile(r"\b(?:follow|obey|execute|act on|carry out|comply with|run)\b")
_INSTRUCTION = re.compile(r"\b(?:instructions?|commands?|directives?|requests?|orders?)\b")
_DATA = re.compile(
    r"\b(?:data|documents?|tool (?:outputs?|results?|responses?)|outputs? of (?:the )?tools?|"
    r"retrieved|content|e-?mails?|web ?pages?|untrusted|external|third[- ]party|marked|"
    r"between|inside|within|embedded|delimit\w*|spotlight\w*|datamark\w*|encoded)\b"
)
_AS_DATA = re.compile(r"\b(?:treat|consider|handle)\b[^.]{0,60}\bas (?:plain |untrusted )?data\b")


@lru_cache(maxsize=1024)
def says_data_is_not_instructions(system: str) -> bool:
    """Does the system prompt say that instructions found in data are not to be followed?

    A sentence that both negates following (ignore / never / do not ... follow / obey /
    execute) and names instructions and a data source (tool output, documents, retrieved or
    untrusted content, text between markers), or one that says to treat such content as data.
    """
    for sentence in _sentences(system.casefold()):
        if _AS_DATA.search(sentence):
            return True
        if (
            _INSTRUCTION.search(sentence)
            and _DATA.search(sentence)
            and _NEGATE.search(sentence)
            and (_FOLLOW.search(sentence) or re.search(r"\b(?:ignore|disregard)\b", sentence))
        ):
            return True
    return False


_CLARIFY = re.compile(r"\bclarif\w*|\bfollow-up questions?\b|\bquestions?\b")
_ASK = re.compile(r"\bask\w*\b|\bclarify\b")
_AMBIGUOUS = re.compile(
    r"\b(?:ambiguous|ambiguity|unclear|vague|missing|incomplete|underspecified|not enough|"
    r"insufficient|several|more than one|unsure|not sure|could mean)\b"
)
_DONT_ASK = re.compile(r"\b(?:never|don't|do not|avoid|without)\b[^.]{0,20}\bask")


@lru_cache(maxsize=1024)
def asks_for_clarification(system: str) -> bool:
    """Does the system prompt tell the model to ask a clarifying question when a request is
    ambiguous? (One sentence with an ask verb, a question or clarification, and an ambiguity
    word; or "clarifying question" without a negation such as "never ask".)"""
    for sentence in _sentences(system.casefold()):
        if _DONT_ASK.search(sentence):
            continue
        if "clarifying question" in sentence or "clarification question" in sentence:
            return True
        if _ASK.search(sentence) and _CLARIFY.search(sentence) and _AMBIGUOUS.search(sentence):
            return True
    return False


# -- output length -----------------------------------------------------------------------

_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100, "one hundred": 100,
}  # fmt: skip
_NUM = r"(\d{1,4}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_LIMITS = (
    re.compile(
        r"\b(?:at most|no more than|not more than|under|below|fewer than|less than|within|"
        r"up to|maximum of|max(?:imum)?|limit(?:ed)? to|in)\s+" + _NUM + r"\s+words?\b"
    ),
    re.compile(r"\b" + _NUM + r"\s+words?\s+(?:or (?:fewer|less)|max(?:imum)?|at most)\b"),
    re.compile(r"\b" + _NUM + r"-word\b"),
)


@lru_cache(maxsize=1024)
def word_limit(text: str) -> int | None:
    """The tightest explicit word limit in ``text`` ("in at most 40 words", "under fifty
    words", "a 20-word answer"), or None. Sentence counts and "briefly" are not limits here."""
    low = text.casefold()
    found: list[int] = []
    for pattern in _LIMITS:
        for m in pattern.finditer(low):
            raw = m.group(1)
            n = int(raw) if raw.isdigit() else _NUMBERS[raw]
            if n > 0:
                found.append(n)
    return min(found) if found else None


# -- structured output ---------------------------------------------------------------------

_ASKS_JSON = re.compile(
    r"\b(?:respond|reply|answer|return|output|format|give|provide|produce|write|emit)\b"
    r"[^.\n]{0,60}\bjson\b|\bjson\b[^.\n]{0,30}\b(?:only|object|format)\b|\bas json\b"
)


def _infer(value: Any) -> dict[str, Any]:
    """A JSON schema for an example value (every key required)."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, list):
        return {"type": "array", "items": _infer(value[0]) if value else {}}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {k: _infer(v) for k, v in value.items()},
            "required": list(value),
        }
    return {"type": "string"}


def _json_objects(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    out = []
    for m in re.finditer(r"\{", text):
        try:
            value, _end = decoder.raw_decode(text, m.start())
        except ValueError:
            continue
        if isinstance(value, dict) and value:
            out.append(value)
            break
    return out


#: What a prompt-only JSON request gets when the prompt names no fields.
GENERIC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
}


@lru_cache(maxsize=1024)
def _prompt_json_schema(text: str) -> str | None:
    if not _ASKS_JSON.search(text.casefold()):
        return None
    for value in _json_objects(text):
        if "properties" in value and isinstance(value["properties"], dict):
            return json.dumps(value)
        return json.dumps(_infer(value))
    return json.dumps(GENERIC_SCHEMA)


def prompt_json_schema(text: str) -> dict[str, Any] | None:
    """The schema a prompt-only JSON request asks for, or None when it asks for no JSON.

    The prompt asks for JSON ("respond in JSON", "return a JSON object", "JSON only"); the
    schema is the first JSON schema it contains (an object with ``properties``), else one
    inferred from the first example object, else ``{"answer": string}``.
    """
    found = _prompt_json_schema(text)
    return None if found is None else json.loads(found)


def schema_complexity(schema: Mapping[str, Any]) -> float:
    """Fields at every level, plus 2 per nesting level below the top, plus 1 per enum:
    a flat object with 10 free fields scores 10 (the cards' reference complexity)."""
    root = schema

    def visit(s: Any, depth: int) -> tuple[int, int, int]:
        if not isinstance(s, Mapping):
            return 0, depth, 0
        if "$ref" in s and isinstance(s["$ref"], str) and s["$ref"].startswith("#/"):
            target: Any = root
            for part in s["$ref"][2:].split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            s = target if depth < 8 else {}
        fields, deepest, enums = 0, depth, 0
        for sub in (s.get("properties") or {}).values():
            fields += 1
            enums += isinstance(sub, Mapping) and isinstance(sub.get("enum"), list)
            f, d, e = visit(sub, depth + 1) if _nested(sub) else (0, depth, 0)
            fields, deepest, enums = fields + f, max(deepest, d), enums + e
        items = s.get("items")
        if isinstance(items, Mapping) and _nested(items):
            f, d, e = visit(items, depth + 1)
            fields, deepest, enums = fields + f, max(deepest, d), enums + e
        return fields, deepest, enums

    fields, deepest, enums = visit(schema, 0)
    return float(fields + 2 * max(0, deepest - 1) + enums)


def _nested(s: Any) -> bool:
    return isinstance(s, Mapping) and (
        "properties" in s or "$ref" in s or s.get("type") in ("object", "array")
    )


# -- routing -------------------------------------------------------------------------------

_ARROW_EXAMPLE = r"(?:->|=>|→|\b(?:route|team|department|label|answer|output|category)\s*:)\s*"


class PromptFeatures:
    """The features of one request that the behaviour cards read, each computed on demand."""

    def __init__(self, req: Request) -> None:
        self.req = req

    @cached_property
    def system_text(self) -> str:
        """Every system message's text, in order."""
        return "\n".join(
            text_of(m.content) for m in self.req.messages if isinstance(m, SystemMessage)
        )

    @cached_property
    def data_instruction(self) -> bool:
        """The system prompt says instructions in data are not to be followed."""
        return says_data_is_not_instructions(self.system_text)

    @cached_property
    def clarify_instruction(self) -> bool:
        """The system prompt asks for a clarifying question on ambiguous requests."""
        return asks_for_clarification(self.system_text)

    @cached_property
    def word_limit(self) -> int | None:
        """An explicit word limit in the system prompt or the last user message."""
        limits = [n for t in (self.system_text, self.req.last_human()) if (n := word_limit(t))]
        return min(limits) if limits else None

    @cached_property
    def instruction_text(self) -> str:
        """Where a model reads its instructions: system messages and the bound schemas."""
        parts = [self.system_text]
        parts += [json.dumps(t, ensure_ascii=False) for t in self.req.tools]
        if self.req.response_schema:
            parts.append(json.dumps(self.req.response_schema, ensure_ascii=False))
        return "\n".join(parts)

    def route_descriptions(self, routes: list[str]) -> bool:
        """Every route option is described ("billing: payments, invoices and refunds")."""
        text = self.instruction_text.casefold()
        return bool(routes) and all(
            re.search(
                rf"\b{re.escape(r)}\b\W{{0,3}}\s*(?:[:=(–—-]|\bfor\b|\bhandles?\b|\bcovers?\b|"
                rf"\bmeans?\b|\bis\b)\s*\W?\w+(?:\W+\w+){{2,}}",
                text,
            )
            for r in routes
        )

    def few_shot(self, routes: list[str]) -> bool:
        """At least two worked examples that map a request to a route ("... -> billing")."""
        if not routes:
            return False
        alternatives = "|".join(re.escape(r) for r in routes)
        pattern = re.compile(rf"\w[^\n]{{8,}}?{_ARROW_EXAMPLE}[\"'`]?(?:{alternatives})\b")
        return len(pattern.findall(self.system_text.casefold())) >= 2

    @cached_property
    def tokens_after_instructions(self) -> int:
        """Prompt tokens after the last system message (0 when there is none)."""
        messages = self.req.messages
        last = max((i for i, m in enumerate(messages) if isinstance(m, SystemMessage)), default=-1)
        if last < 0 or last == len(messages) - 1:
            return 0
        return count_message_tokens(messages[last + 1 :])

    def format_stated(self, schema: Mapping[str, Any] | None) -> bool:
        """The prompt states the format: it says JSON and names at least half the fields."""
        text = (self.system_text + "\n" + self.req.last_human()).casefold()
        if "json" not in text:
            return False
        fields = list((schema or {}).get("properties") or {})
        if not fields:
            return True
        named = sum(bool(re.search(rf"\b{re.escape(f.casefold())}\b", text)) for f in fields)
        return named * 2 >= len(fields)
