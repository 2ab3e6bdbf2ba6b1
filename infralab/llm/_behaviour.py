"""The behaviour card applied to a finished reply: structured-output validity and word limits.

The scenario oracle applies the card's effects on injections, routing and clarification itself
(they decide *what* the model does). What is left is *how* the reply is written, the same for
the oracle and the free-text rules, and applied here after either:

- **structured output** (docs/behaviour-cards.md, "Structured output"): the method of the
  request (strict function calling or strict json_schema, function calling, json_schema, JSON
  mode, a JSON format asked for in the prompt only), the schema's complexity and whether the
  prompt states the format give the chance of an invalid output; an invalid output is a
  missing field, a wrong type or prose around the JSON, as hosted models produce;
- **word limits**: with probability ``length_compliance`` a reply keeps to an explicit word
  limit (closing filler dropped first, then cut at a sentence or word boundary).

Scripted replies are never touched. Every draw is keyed by the call's draws (profile, seed,
messages, tools, options), purpose ``format`` or ``length``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from infralab.llm._card import (
    MAX_COMPLEXITY_SCALE,
    REFERENCE_COMPLEXITY,
    BehaviourCard,
    behaviour_card,
)
from infralab.llm._catalog import ModelProfile
from infralab.llm._draw import Draws, Reply
from infralab.llm._features import schema_complexity
from infralab.llm._request import Request
from infralab.llm._rules import FILLER, GENERIC_FILLER
from infralab.llm._schema import violate

__all__ = ["apply_card", "format_method", "format_error_probability"]

# Which invalid outputs each method produces (function calling has no text to wrap in prose).
_KINDS = {
    "function_calling": ("missing_field", "wrong_type"),
    "json_schema": ("missing_field", "wrong_type", "trailing_prose"),
    "json_mode": ("missing_field", "wrong_type", "trailing_prose"),
    "prompt_only": ("trailing_prose", "trailing_prose", "missing_field", "wrong_type"),
}
_LEADS = ("Sure! Here is the JSON you asked for:\n", "Here is the result:\n\n")
_TRAILS = (
    "\n\nLet me know if you need anything else.",
    "\n\nNote: some fields are estimates based on the information given.",
)


def format_method(req: Request, reply: Reply, profile: ModelProfile) -> str | None:
    """The structured-output method of this reply, or None when it is not structured output.

    ``"strict"``, ``"function_calling"``, ``"json_schema"`` and ``"json_mode"`` count only when
    the profile has ``structured_output_errors`` on (the catalog keeps it off, so schema-bound
    outputs stay valid for the labs that rely on it); ``"prompt_only"`` always counts.
    """
    if req.prompt_schema is not None and not reply.tool_calls:
        return "prompt_only"
    if not profile.structured_output_errors:
        return None
    if req.forced is not None and reply.tool_calls:
        if [c["name"] for c in reply.tool_calls] != [req.forced]:
            return None
        return "strict" if req.strict_tool(req.forced) else "function_calling"
    if req.response_schema is not None and not reply.tool_calls:
        if req.response_method == "json_mode" or not req.response_schema:
            return "json_mode"
        return "strict" if req.strict_schema else "json_schema"
    return None


def _schema_of(req: Request, reply: Reply, method: str) -> dict[str, Any]:
    if method in ("function_calling", "strict") and reply.tool_calls:
        return req.params.get(reply.tool_calls[0]["name"], {})
    if method == "prompt_only":
        return req.prompt_schema or {}
    return req.response_schema or {}


def format_error_probability(
    card: BehaviourCard, method: str, schema: dict[str, Any], stated: bool
) -> float:
    """The card's chance of an invalid output: the method's rate, scaled by the schema's
    complexity (x complexity / 10, at most x3) and halved when the prompt states the format.

    JSON mode without the format stated is the worst case: the schema never reaches the model
    (only the prompt does), so the card's rate applies at three times reference complexity.
    """
    base = card.format_error_rate.get(method, 0.0)
    if base <= 0:
        return 0.0
    scale = min(MAX_COMPLEXITY_SCALE, schema_complexity(schema) / REFERENCE_COMPLEXITY)
    if method == "json_mode" and not stated:
        scale = MAX_COMPLEXITY_SCALE
    p = base * scale * (card.factor("format_stated") if stated else 1.0)
    return min(1.0, p)


def _break_output(
    req: Request, reply: Reply, method: str, schema: dict[str, Any], ds: Draws
) -> Reply:
    kinds = _KINDS.get(method, ("missing_field",))
    kind = kinds[ds.index("kind", len(kinds))]

    def pick(n: int) -> int:
        return ds.index("pick", n)

    extra = {**reply.extra, "invalid_output": kind}
    if reply.tool_calls:
        first = dict(reply.tool_calls[0])
        first["args"] = violate(schema, first.get("args") or {}, kind, pick)
        return Reply(tool_calls=[first, *reply.tool_calls[1:]], source=reply.source, extra=extra)
    try:
        value = json.loads(reply.content)
    except ValueError:
        return reply
    if not isinstance(value, dict):
        return reply
    if kind == "trailing_prose":
        body = json.dumps(value, indent=2)
        if ds.chance("lead", 0.5):
            content = _LEADS[ds.index("lead_pick", len(_LEADS))] + body
        else:
            content = body + _TRAILS[ds.index("trail_pick", len(_TRAILS))]
    else:
        content = json.dumps(violate(schema, value, kind, pick))
    return Reply(content=content, source=reply.source, extra=extra)


_WORDS = re.compile(r"\S+")


def _within_words(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` words: closing filler first, then whole sentences, then words."""
    for sentence in (*FILLER, *GENERIC_FILLER):
        if len(_WORDS.findall(text)) <= limit:
            break
        text = text.replace(" " + sentence, "")
    if len(_WORDS.findall(text)) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept: list[str] = []
    for sentence in sentences:
        if len(_WORDS.findall(" ".join([*kept, sentence]))) > limit:
            break
        kept.append(sentence)
    if kept:
        return " ".join(kept)
    words = _WORDS.findall(text)[:limit]
    return " ".join(words).rstrip(",;:") + ("" if words[-1][-1:] in ".!?" else ".")


def apply_card(req: Request, reply: Reply, profile: ModelProfile, draws: Draws) -> Reply:
    """``reply`` as the profile's behaviour card writes it for this request (see module doc)."""
    if reply.source == "script":
        return reply
    method = format_method(req, reply, profile)
    if method is not None:
        card = behaviour_card(profile)
        schema = _schema_of(req, reply, method)
        stated = req.features().format_stated(schema)
        p = format_error_probability(card, method, schema, stated)
        ds = draws.child("format")
        if ds.chance("invalid", p):
            return _break_output(req, reply, method, schema, ds)
        return reply
    if reply.tool_calls or not reply.content or req.response_schema is not None:
        return reply
    limit = req.features().word_limit
    if limit is None:
        return reply
    card = behaviour_card(profile)
    if not draws.child("length").chance("comply", card.length_compliance):
        return reply  # overshoots, as models sometimes do
    shorter = _within_words(reply.content, limit)
    if shorter == reply.content:
        return reply
    return Reply(
        content=shorter,
        tool_calls=[],
        finish_reason=reply.finish_reason,
        source=reply.source,
        extra={**reply.extra, "word_limit": limit},
    )
