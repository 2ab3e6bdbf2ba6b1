"""Deterministic rules for requests that match no scenario: a sensible reply to anything.

A learner can type anything into a notebook and get an answer that reads like a model's:
greetings are greeted, a request to summarize gets an extractive summary, a tool result gets
reported, a question gets an honest "this is a simulator" answer about its topic. A forced
tool call or a structured-output request gets schema-valid values drawn from the user's words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, SystemMessage, ToolMessage

from infralab.llm._draw import Draws, Reply
from infralab.llm._request import Request, text_of
from infralab.llm._schema import NO_HINT, fill, find_identifier

__all__ = ["rules_reply", "text_hint", "FILLER"]

_GREETING = re.compile(r"^\s*(hi|hello|hey|hiya|good (morning|afternoon|evening))\b", re.I)
_THANKS = re.compile(r"\b(thanks|thank you|cheers)\b", re.I)
_SUMMARY = re.compile(r"\b(summari[sz]e|summary|tl;?dr)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_STOP = frozenset(
    "a an and are as at be but by can could do does for from have how i if in into is it its "
    "me my of on or our please should so that the their them then there these this to us was "
    "we what when where which who why will with would you your about tell give show".split()
)
# Generic verbs that say nothing about which tool fits a request.
_TOOL_VERBS = frozenset(
    "get lookup look up search fetch find check create update list set tool info details data "
    "by for the to of".split()
)

#: Sentences a more verbose profile adds around its answer (verbosity 0..1 picks how many).
FILLER = (
    "Let me know if there is anything else I can help with.",
    "I hope this helps.",
    "If anything here looks wrong, reply and I will take another look.",
    "You can also find this information in your account dashboard.",
)


def _keywords(text: str, n: int = 4) -> list[str]:
    """Up to ``n`` content words, in the order the user wrote them."""
    seen: list[str] = []
    for w in _WORD.findall(text):
        lw = w.lower()
        if lw not in _STOP and lw not in seen:
            seen.append(lw)
    return seen[:n]


_ASKS_ABOUT = re.compile(
    r"^\s*(?:what|who|how|why|when|where)\s+(?:is|are|was|were|does|do|did|can|should)\s+"
    r"(?:i\s+|we\s+|you\s+)?(?:an?\s+|the\s+)?(.+?)\s*\?",
    re.I,
)


# The rules read the same user text call after call in an agent loop; these pure functions of
# the text are cached by it.
@lru_cache(maxsize=4096)
def _first_sentences(text: str, n: int) -> str:
    parts = [p.strip() for p in _SENTENCE.split(text.strip()) if p.strip()]
    return " ".join(parts[:n])


#: The free-text rules' padding: the same idea, without the support-desk flavour.
GENERIC_FILLER = (
    "I hope this helps.",
    "Feel free to ask a follow-up question.",
    "I'm happy to go into more detail.",
    "Let me know if there is anything else I can help with.",
)


def filler(draws: Draws, verbosity: float, sentences: tuple[str, ...] = FILLER) -> str:
    """Zero to three closing sentences, more for a verbose profile."""
    k = int(round(verbosity * 3))
    if k <= 0:
        return ""
    start = draws.index("filler", len(sentences))
    return " " + " ".join(sentences[(start + i) % len(sentences)] for i in range(k))


_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_PLACE_OR_NAME = frozenset(
    "city location place country region destination name person company brand product".split()
)


def _proper_noun(text: str) -> str | None:
    """The last capitalized name that does not open a sentence ("weather in Oslo" -> Oslo)."""
    found = [m for m in _PROPER.findall(text.strip()) if m not in ("I",)]
    return found[-1] if found else None


@lru_cache(maxsize=4096)
def _hint_words(text: str) -> tuple[str | None, str | None, str]:
    """What ``text_hint`` takes from the text: an identifier, a proper noun, a short quote."""
    return find_identifier(text), _proper_noun(text), _first_sentences(text, 1)[:200] or "n/a"


def text_hint(text: str) -> Any:
    """A hint function for ``fill`` that draws string values from the user's words."""
    ident, proper, short = _hint_words(text)

    def hint(name: str, schema: Mapping[str, Any]) -> Any:
        lname = name.lower()
        types = schema.get("type")
        is_str = types == "string" or (isinstance(types, list) and "string" in types)
        if not is_str or "enum" in schema or "format" in schema:
            return NO_HINT
        if ident and (lname.endswith("_id") or lname in ("id", "order", "ticket", "customer")):
            return ident
        if proper and (lname in _PLACE_OR_NAME or lname.split("_")[-1] in _PLACE_OR_NAME):
            return proper
        if lname in ("query", "question", "text", "input", "message", "request", "topic"):
            return short
        if lname in ("summary", "answer", "response", "reply", "content", "result"):
            return _answer_text(text) if text else "n/a"
        return NO_HINT

    return hint


@lru_cache(maxsize=4096)
def _answer_text(text: str) -> str:
    if _GREETING.search(text):
        return "Hello! How can I help you today?"
    if _THANKS.search(text):
        return "You're welcome! Is there anything else I can help with?"
    if _SUMMARY.search(text):
        body = text.split(":", 1)[1] if ":" in text else _SUMMARY.sub("", text)
        summary = _first_sentences(body, 2)
        return f"Summary: {summary}" if summary else "There is nothing to summarize yet."
    asked = _ASKS_ABOUT.search(text)
    topic = asked.group(1) if asked else " ".join(_keywords(text)) or "your request"
    if "?" in text:
        return (
            f"About {topic}: I am a simulated model, so I have no outside knowledge of this; "
            "share the details you have and I can work through them with you."
        )
    return f"Understood ({topic}). Tell me how you would like me to help with it."


def _relevant_tool(req: Request, text: str) -> str | None:
    words = {w.lower().rstrip("s") for w in _WORD.findall(text)}
    best, best_score = None, 0
    for name in req.params:
        parts = {p.rstrip("s") for p in re.split(r"[_\W]+", name.lower()) if p}
        score = len((parts - _TOOL_VERBS) & words)
        if score > best_score:
            best, best_score = name, score
    return best


#: Fields of a JSON answer that hold the reply's text.
ANSWER_FIELDS = frozenset(
    ("answer", "response", "reply", "final_answer", "message", "text", "content", "output")
)


def rules_reply(req: Request, draws: Draws, verbosity: float) -> Reply:
    """The reply of the free-text rules to ``req`` (no script, no scenario).

    When the prompt alone asks for JSON (``req.prompt_schema``), a text reply comes as a JSON
    object of that schema, its answer field holding the text.
    """
    reply = _rules_reply(req, draws, verbosity)
    schema = req.prompt_schema
    if schema is None or reply.tool_calls:
        return reply
    words = text_hint(req.last_human())

    def hint(name: str, field: Mapping[str, Any]) -> Any:
        if name.lower() in ANSWER_FIELDS and field.get("type") in ("string", None):
            return reply.content
        return words(name, field)

    value = fill(schema, hint, default_text=_first_sentences(req.last_human(), 1))
    return Reply(content=json.dumps(value), source="rules")


def _rules_reply(req: Request, draws: Draws, verbosity: float) -> Reply:
    last = req.last()
    text = req.last_human()
    hint = text_hint(text)
    if req.forced or (req.must_call and req.params):
        name = req.forced or _relevant_tool(req, text) or next(iter(req.params))
        args = fill(req.params.get(name, {}), hint, default_text=_first_sentences(text, 1))
        return Reply(tool_calls=[{"name": name, "args": args}], source="rules")
    if req.response_schema is not None:
        value = fill(req.response_schema, hint, default_text=_first_sentences(text, 1))
        if not req.response_schema:
            value = {"response": _answer_text(text)}
        return Reply(content=json.dumps(value), source="rules")
    if isinstance(last, ToolMessage):
        result = text_of(last.content).strip()
        if len(result) > 300:
            result = result[:297] + "..."
        return Reply(content=f"Here is what I found: {result}", source="rules")
    if req.params and not req.no_tools and not isinstance(last, AIMessage | SystemMessage):
        relevant = _relevant_tool(req, text)
        if relevant is not None:
            args = fill(req.params[relevant], hint, default_text=_first_sentences(text, 1))
            return Reply(tool_calls=[{"name": relevant, "args": args}], source="rules")
    if not text.strip():
        return Reply(content="Could you tell me a bit more about what you need?", source="rules")
    answer = _answer_text(text)
    if _GREETING.search(text) or _THANKS.search(text):
        return Reply(content=answer, source="rules")  # small talk needs no padding
    return Reply(content=answer + filler(draws, verbosity, GENERIC_FILLER), source="rules")
