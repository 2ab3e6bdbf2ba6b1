"""JSON-schema helpers for the simulator: fill a schema with a valid instance, break one.

The simulator answers structured-output requests and tool calls by filling the requested JSON
schema. Values come from *hints* (the scenario oracle knows the route, the intent, the facts;
the free-text rules know the user's words); whatever no hint covers gets a schema-valid
default, so a parser on the other side (Pydantic, ``JsonOutputKeyToolsParser``) accepts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["fill", "resolve", "break_args", "violate", "string_fields", "NO_HINT", "INVALID_KINDS"]


class _NoHint:
    def __repr__(self) -> str:
        return "NO_HINT"


#: Returned by a hint function that has nothing to say about a field.
NO_HINT: Any = _NoHint()

#: hint(field_name, field_schema) -> value or NO_HINT
Hint = Callable[[str, Mapping[str, Any]], Any]

_MAX_DEPTH = 12


def resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow local ``$ref``s (``#/$defs/X``, ``#/definitions/X``) and merge ``allOf``."""
    # The common case first, by exact type: isinstance against the Mapping ABC is slow and
    # this runs for every field of every schema filled.
    if type(schema) is dict and "$ref" not in schema and "allOf" not in schema:
        return schema
    seen = 0
    while isinstance(schema, Mapping) and "$ref" in schema and seen < _MAX_DEPTH:
        ref = schema["$ref"]
        target: Any = root
        if isinstance(ref, str) and ref.startswith("#/"):
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
        else:
            target = {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra}
        seen += 1
    if isinstance(schema, Mapping) and "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for raw_part in schema["allOf"]:
            for key, value in resolve(raw_part, root).items():
                if key == "properties":
                    merged.setdefault("properties", {}).update(value)
                elif key == "required":
                    merged["required"] = sorted(set(merged.get("required", [])) | set(value))
                else:
                    merged.setdefault(key, value)
        schema = merged
    return schema if isinstance(schema, Mapping) else {}


def _types(schema: Mapping[str, Any]) -> list[str]:
    t = schema.get("type")
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    if isinstance(t, str):
        return [t]
    if "properties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    if "enum" in schema:
        return ["enum"]
    return []


def _clip_number(value: float, schema: Mapping[str, Any], integer: bool) -> float | int:
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    step = 1 if integer else 0.01
    if isinstance(lo, int | float) and value < lo + (step if "exclusiveMinimum" in schema else 0):
        value = lo + (step if "exclusiveMinimum" in schema else 0)
    if isinstance(hi, int | float) and value > hi - (step if "exclusiveMaximum" in schema else 0):
        value = hi - (step if "exclusiveMaximum" in schema else 0)
    return int(value) if integer else float(value)


_FORMAT_DEFAULTS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "customer@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _fit_string(value: str, schema: Mapping[str, Any]) -> str:
    max_len = schema.get("maxLength")
    min_len = schema.get("minLength")
    if isinstance(max_len, int) and len(value) > max_len:
        value = value[:max_len]
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    return value


def _conform(value: Any, schema: Mapping[str, Any]) -> Any:
    """A hinted value made to fit the field's constraints, or NO_HINT when it cannot fit."""
    if value is NO_HINT:
        return value
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        return NO_HINT
    types = _types(schema)
    if isinstance(value, str):
        if types and "string" not in types:
            return NO_HINT
        value = _fit_string(value, schema)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                if re.search(pattern, value) is None:
                    return NO_HINT
            except re.error:
                return NO_HINT
        return value
    if isinstance(value, bool):
        return value if not types or "boolean" in types else NO_HINT
    if isinstance(value, int | float):
        if "integer" in types and isinstance(value, int):
            return _clip_number(value, schema, integer=True)
        if "number" in types:
            return _clip_number(float(value), schema, integer=False)
        return NO_HINT
    if isinstance(value, list):
        if types and "array" not in types:
            return NO_HINT
        max_items = schema.get("maxItems")
        value = value[:max_items] if isinstance(max_items, int) else value
        min_items = schema.get("minItems")
        return NO_HINT if isinstance(min_items, int) and len(value) < min_items else value
    return value


def fill(
    schema: Mapping[str, Any],
    hint: Hint,
    *,
    root: Mapping[str, Any] | None = None,
    name: str = "",
    default_text: str = "",
    _depth: int = 0,
) -> Any:
    """Build an instance of ``schema``, asking ``hint(name, schema)`` first for each field.

    Args:
        schema: a JSON schema (as ``convert_to_openai_tool`` / Pydantic produce).
        hint: returns a value for a field, or ``NO_HINT``.
        root: the document ``$ref``s resolve against (defaults to ``schema``).
        name: the field name of ``schema`` (empty at the top).
        default_text: what an unhinted free-text string field gets.
    """
    return _fill(schema, hint, schema if root is None else root, name, default_text, _depth)


def _fill(
    schema: Mapping[str, Any],
    hint: Hint,
    root: Mapping[str, Any],
    name: str,
    default_text: str,
    depth: int,
) -> Any:
    # Runs for every field of every schema filled (a structured-output call fills one per
    # call): positional arguments and the common cases inline, same order of rules as ever.
    schema = resolve(schema, root)
    if depth > _MAX_DEPTH:
        return None
    if name:
        value = hint(name, schema)
        if value is not NO_HINT:
            value = _conform(value, schema)
            if value is not NO_HINT:
                return value
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema and schema[key]:
            options = [resolve(o, root) for o in schema[key]]
            non_null = [o for o in options if _types(o) != ["null"]] or options
            return _fill(non_null[0], hint, root, name, default_text, depth + 1)
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema and depth > 0:
        return schema["default"]
    kind = schema.get("type")
    if type(kind) is not str:  # a plain "type": "x" names the kind (even "null") at once
        types = _types(schema)
        kind = next((t for t in types if t != "null"), types[0] if types else "string")
    if kind == "string":
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMAT_DEFAULTS:
            return _FORMAT_DEFAULTS[fmt]
        return _fit_string(default_text or "n/a", schema)
    if kind == "object":
        props = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        for key, sub in props.items():
            sub_r = resolve(sub, root)
            # Optional fields that have a default are left to the default, as a terse model would.
            if key not in required and "default" in sub_r:
                continue
            out[key] = _fill(sub_r, hint, root, key, default_text, depth + 1)
        return out
    if kind == "array":
        items = schema.get("items") or {}
        n = max(1, int(schema.get("minItems") or 0))
        if isinstance(schema.get("maxItems"), int):
            n = min(n, schema["maxItems"])
        item_name = name[:-1] if name.endswith("s") else name
        return [_fill(items, hint, root, item_name, default_text, depth + 1) for _ in range(n)]
    if kind == "integer":
        return _clip_number(0, schema, integer=True)
    if kind == "number":
        return _clip_number(0.0, schema, integer=False)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMAT_DEFAULTS:
        return _FORMAT_DEFAULTS[fmt]
    return _fit_string(default_text or "n/a", schema)


def string_fields(schema: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """Top-level (and one level nested) string fields with an ``enum``: ``[(name, enum)]``."""
    out: list[tuple[str, list[Any]]] = []
    root = schema

    def visit(s: Mapping[str, Any], depth: int) -> None:
        s = resolve(s, root)
        for key, sub in (s.get("properties") or {}).items():
            sub = resolve(sub, root)
            options = [sub] + [resolve(o, root) for o in sub.get("anyOf", []) or []]
            for o in options:
                if isinstance(o.get("enum"), list):
                    out.append((key, list(o["enum"])))
                    break
            else:
                if depth < 1 and _types(sub) == ["object"]:
                    visit(sub, depth + 1)

    visit(schema, 0)
    return out


def break_args(
    schema: Mapping[str, Any], args: Mapping[str, Any], pick: Callable[[int], int]
) -> dict[str, Any]:
    """Return a copy of ``args`` that violates ``schema`` (what a sloppy model sends).

    A required argument goes missing if there is one; else a typed argument gets the wrong
    type; else an argument the schema does not declare appears (invalid when
    ``additionalProperties`` is false, as strict tool schemas have).

    Args:
        pick: ``pick(n)`` returns a deterministic index in ``range(n)``.
    """
    schema = resolve(schema, schema)
    args = dict(args)
    required = [k for k in (schema.get("required") or []) if k in args]
    if required:
        del args[required[pick(len(required))]]
        return args
    props = schema.get("properties") or {}
    typed = sorted(k for k, s in props.items() if _types(resolve(s, schema)))
    if typed:
        key = typed[pick(len(typed))]
        kind = _types(resolve(props[key], schema))[0]
        args[key] = ["not", "a", "string"] if kind == "string" else "not-a-" + kind
        return args
    args["unexpected_argument"] = True
    return args


_ID_RE = re.compile(r"\b(?:[A-Z]{1,6}-\d{2,}|[A-Z]{1,3}\d{3,}|\d{4,})\b")


def find_identifier(text: str) -> str | None:
    """The first thing in ``text`` that looks like an id (``ORD-1042``, ``C123``, ``98431``)."""
    m = _ID_RE.search(text or "")
    return m.group(0) if m else None


#: Ways a structured output goes wrong, as hosted models' invalid outputs do.
INVALID_KINDS = ("missing_field", "wrong_type", "trailing_prose")


def violate(
    schema: Mapping[str, Any], value: Mapping[str, Any], kind: str, pick: Callable[[int], int]
) -> dict[str, Any]:
    """A copy of ``value`` that breaks ``schema`` the way ``kind`` says.

    ``"missing_field"`` drops a required field (a field at all when none is required);
    ``"wrong_type"`` gives a field a value of another type, as models do: ``"N/A"`` for a number,
    boolean, array or object, a bare number for a string, a value outside an ``enum``. When the
    asked kind cannot break this schema (nothing required, nothing typed) the other kind is used.

    Args:
        pick: ``pick(n)`` returns a deterministic index in ``range(n)``.
    """
    schema = resolve(schema, schema)
    out = dict(value)
    props = schema.get("properties") or {}
    required = [k for k in (schema.get("required") or []) if k in out]
    if kind == "missing_field" and required:
        del out[required[pick(len(required))]]
        return out
    typed = sorted(k for k in out if k in props)
    if typed:
        key = typed[pick(len(typed))]
        sub = resolve(props[key], schema)
        enum = sub.get("enum")
        if isinstance(enum, list) and enum:
            out[key] = "other" if "other" not in enum else "unknown-value"
        elif isinstance(out[key], str) or "string" in _types(sub):
            # an id or a label sent as a bare number ({"order_id": 1042})
            digits = re.sub(r"\D", "", out[key]) if isinstance(out[key], str) else ""
            out[key] = int(digits[:9]) if digits else 0
        else:
            out[key] = "N/A"  # a number, flag, list or object the model could not fill
        return out
    if out:
        del out[sorted(out)[pick(len(out))]]
        return out
    return {"unexpected": "N/A"} if schema.get("additionalProperties") is False else {"x": None}
