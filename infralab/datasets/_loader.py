"""Reading and validating ``scenarios.jsonl`` and ``world.json`` (see ``infralab.datasets``)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infralab.datasets._schema import (
    INJECTION_CHANNELS,
    ROUTES,
    SPLITS,
    TOOL_PARAMS,
    fold,
)


class DatasetError(ValueError):
    """A dataset file is missing or malformed; the message names the file, line and field."""


@dataclass(frozen=True)
class ToolCall:
    """One tool call: the tool's ``name`` and its ``args`` (a plain dict, JSON data).

    ``args`` is left out of the hash (a dict cannot be hashed) but not out of equality.
    """

    name: str
    args: dict[str, Any] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The call as JSON data: ``{"name": ..., "args": {...}}``."""
        return {"name": self.name, "args": json.loads(json.dumps(self.args))}


@dataclass(frozen=True)
class Injection:
    """A prompt injection planted in a scenario.

    Attributes:
        channel: ``"user"`` (the text is in the customer's message) or ``"tool_output"``
            (the text arrives inside the output of ``tool``: indirect injection).
        tool: for ``tool_output``, the tool whose output carries the text; else None.
        text: the injected instruction.
        forbidden_tool_call: the call an agent that obeys the injection makes.
    """

    channel: str
    tool: str | None
    text: str
    forbidden_tool_call: ToolCall

    def to_dict(self) -> dict[str, Any]:
        """The injection as JSON data, in the file's shape."""
        return {
            "channel": self.channel,
            "tool": self.tool,
            "text": self.text,
            "forbidden_tool_call": self.forbidden_tool_call.to_dict(),
        }


@dataclass(frozen=True)
class Scenario:
    """One support-desk scenario: a customer message and its ground truth.

    Attributes:
        id: ``"sd-0001"``...
        customer_id: the customer who writes (``C0001``...), present in ``world.json``.
        message: the customer's first message.
        route: one of ``ROUTES``.
        intent: what the customer wants (``refund_request``, ``password_reset``...).
        expected_tool_calls: the calls a correct agent makes, in order.
        answer_facts: strings a correct final answer mentions (amounts, tracking numbers...).
        ambiguous: True when a correct agent must ask before acting.
        clarifying_question: the question to ask when ``ambiguous``, else None.
        injection: the planted prompt injection, or None.
        split: ``"train"`` (for development) or ``"test"`` (held out for hidden grading).
    """

    id: str
    customer_id: str
    message: str
    route: str
    intent: str
    expected_tool_calls: tuple[ToolCall, ...]
    answer_facts: tuple[str, ...]
    ambiguous: bool
    clarifying_question: str | None
    injection: Injection | None
    split: str

    def to_dict(self) -> dict[str, Any]:
        """The scenario as JSON data, in the file's shape (what ``probe`` can return)."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "message": self.message,
            "route": self.route,
            "intent": self.intent,
            "expected_tool_calls": [c.to_dict() for c in self.expected_tool_calls],
            "answer_facts": list(self.answer_facts),
            "ambiguous": self.ambiguous,
            "clarifying_question": self.clarifying_question,
            "injection": None if self.injection is None else self.injection.to_dict(),
            "split": self.split,
        }


# --------------------------------------------------------------------------- paths


def _repo_data_dir() -> Path:
    # The package is installed editable, so the repository's datasets/ sits two levels up.
    return Path(__file__).resolve().parents[2] / "datasets"


def data_dir() -> Path:
    """The datasets root: ``$INFRALAB_DATA_DIR`` if set, else the repository's ``datasets/``."""
    env = os.environ.get("INFRALAB_DATA_DIR")
    return Path(env) if env else _repo_data_dir()


def default_scenarios_path() -> Path:
    return data_dir() / "support_desk" / "scenarios.jsonl"


def default_world_path() -> Path:
    return data_dir() / "support_desk" / "world.json"


def _display(path: Path) -> str:
    # Errors name the file as the reader knows it: relative to the working directory if inside.
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- world


def _read_world_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{_display(path)}: file not found") from None


def parse_world(path: Path) -> dict[str, Any]:
    """Parse and sanity-check a world file; errors name the file and the field."""
    where = _display(path)
    try:
        world = json.loads(_read_world_text(path))
    except json.JSONDecodeError as e:
        raise DatasetError(f"{where}:{e.lineno}: not valid JSON: {e.msg}") from None
    if not isinstance(world, dict):
        raise DatasetError(f"{where}: the top level must be a JSON object")
    for key in ("customers", "orders", "products", "kb"):
        if not isinstance(world.get(key), list):
            raise DatasetError(f"{where}: {key}: missing or not a list")
    for key, prefix in (("customers", "C"), ("orders", "O"), ("products", "P"), ("kb", "KB-")):
        seen: set[str] = set()
        for i, item in enumerate(world[key]):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str) or not ident.startswith(prefix):
                raise DatasetError(f"{where}: {key}[{i}].id: expected a string like {prefix}...")
            if ident in seen:
                raise DatasetError(f"{where}: {key}[{i}].id: duplicate id {ident!r}")
            seen.add(ident)
    return world


class _WorldIndex:
    """The ids a scenario may refer to."""

    def __init__(self, world: dict[str, Any]) -> None:
        self.customers = {c["id"] for c in world["customers"]}
        self.emails = {c.get("email") for c in world["customers"]}
        self.orders = {o["id"] for o in world["orders"]}
        self.tracking = {o.get("tracking_number") for o in world["orders"]} - {None}


# --------------------------------------------------------------------------- scenarios


class _RowError(Exception):
    def __init__(self, fieldname: str, problem: str) -> None:
        super().__init__(f"{fieldname}: {problem}")


def _need(row: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in row:
        raise _RowError(key, "missing")
    value = row[key]
    # bool is an int subclass; a field that wants a str or list must not accept it either.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _RowError(key, f"expected {what}, got {type(value).__name__} {value!r}")
    return value


def _tool_call(value: Any, fieldname: str, index: _WorldIndex) -> ToolCall:
    if not isinstance(value, dict) or set(value) != {"name", "args"}:
        raise _RowError(fieldname, f"expected an object with keys name and args, got {value!r}")
    name, args = value["name"], value["args"]
    if name not in TOOL_PARAMS:
        known = ", ".join(TOOL_PARAMS)
        raise _RowError(f"{fieldname}.name", f"{name!r} is not a known tool ({known})")
    if not isinstance(args, dict):
        raise _RowError(f"{fieldname}.args", f"expected an object, got {args!r}")
    allowed, required = TOOL_PARAMS[name]
    for key in sorted(set(args) - allowed):
        raise _RowError(f"{fieldname}.args.{key}", f"{name} has no parameter {key!r}")
    for key in sorted(required - set(args)):
        raise _RowError(f"{fieldname}.args.{key}", f"missing (required by {name})")
    refs = {
        "order_id": (index.orders, "an order"),
        "customer_id": (index.customers, "a customer"),
        "tracking_number": (index.tracking, "a tracking number"),
    }
    for key, (known_ids, what) in refs.items():
        if key in args and args[key] not in known_ids:
            raise _RowError(f"{fieldname}.args.{key}", f"{args[key]!r} is not {what} in world.json")
    if name == "get_customer" and "email" in args and args["email"] not in index.emails:
        raise _RowError(f"{fieldname}.args.email", f"{args['email']!r} is not in world.json")
    return ToolCall(name=name, args=args)


def _scenario(row: Any, index: _WorldIndex) -> Scenario:
    if not isinstance(row, dict):
        raise _RowError("(row)", f"expected a JSON object, got {type(row).__name__}")
    expected_keys = {f for f in Scenario.__dataclass_fields__}
    for key in sorted(set(row) - expected_keys):
        raise _RowError(key, "unknown field")
    sid = _need(row, "id", str, "a string like 'sd-0001'")
    customer_id = _need(row, "customer_id", str, "a string")
    if customer_id not in index.customers:
        raise _RowError("customer_id", f"{customer_id!r} is not a customer in world.json")
    message = _need(row, "message", str, "a string")
    if not message.strip():
        raise _RowError("message", "empty")
    route = _need(row, "route", str, "a string")
    if route not in ROUTES:
        raise _RowError("route", f"{route!r} is not one of {', '.join(ROUTES)}")
    intent = _need(row, "intent", str, "a string")
    if not intent:
        raise _RowError("intent", "empty")
    calls = _need(row, "expected_tool_calls", list, "a list")
    tool_calls = tuple(
        _tool_call(c, f"expected_tool_calls[{i}]", index) for i, c in enumerate(calls)
    )
    facts = _need(row, "answer_facts", list, "a list of strings")
    for i, fact in enumerate(facts):
        if not isinstance(fact, str) or not fact:
            raise _RowError(f"answer_facts[{i}]", f"expected a non-empty string, got {fact!r}")
    ambiguous = _need(row, "ambiguous", bool, "true or false")
    if "clarifying_question" not in row:
        raise _RowError("clarifying_question", "missing (use null when not ambiguous)")
    question = row["clarifying_question"]
    if ambiguous and (not isinstance(question, str) or not question.strip()):
        raise _RowError("clarifying_question", "an ambiguous scenario needs a question")
    if not ambiguous and question is not None:
        raise _RowError("clarifying_question", "must be null when ambiguous is false")
    if "injection" not in row:
        raise _RowError("injection", "missing (use null for none)")
    injection = None if row["injection"] is None else _injection(row["injection"], index)
    split = _need(row, "split", str, "a string")
    if split not in SPLITS:
        raise _RowError("split", f"{split!r} is not one of {', '.join(SPLITS)}")
    return Scenario(
        id=sid,
        customer_id=customer_id,
        message=message,
        route=route,
        intent=intent,
        expected_tool_calls=tool_calls,
        answer_facts=tuple(facts),
        ambiguous=ambiguous,
        clarifying_question=question,
        injection=injection,
        split=split,
    )


def _injection(value: Any, index: _WorldIndex) -> Injection:
    keys = {"channel", "tool", "text", "forbidden_tool_call"}
    if not isinstance(value, dict) or set(value) != keys:
        raise _RowError("injection", f"expected null or an object with keys {sorted(keys)}")
    channel = value["channel"]
    if channel not in INJECTION_CHANNELS:
        raise _RowError(
            "injection.channel", f"{channel!r} is not one of {', '.join(INJECTION_CHANNELS)}"
        )
    tool = value["tool"]
    if channel == "tool_output" and tool not in TOOL_PARAMS:
        raise _RowError("injection.tool", f"{tool!r} is not a known tool")
    if channel == "user" and tool is not None:
        raise _RowError("injection.tool", "must be null for channel 'user'")
    text = value["text"]
    if not isinstance(text, str) or not text.strip():
        raise _RowError("injection.text", "expected a non-empty string")
    forbidden = _tool_call(value["forbidden_tool_call"], "injection.forbidden_tool_call", index)
    return Injection(channel=channel, tool=tool, text=text, forbidden_tool_call=forbidden)


def parse_scenarios(path: Path, world_path: Path) -> tuple[Scenario, ...]:
    """Read and validate every row of ``path`` against the world in ``world_path``."""
    where = _display(path)
    index = _WorldIndex(parse_world(world_path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{where}: file not found") from None
    scenarios: list[Scenario] = []
    ids: dict[str, int] = {}
    messages: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{where}:{lineno}: not valid JSON: {e.msg}") from None
        try:
            scenario = _scenario(row, index)
        except _RowError as e:
            raise DatasetError(f"{where}:{lineno}: {e}") from None
        if scenario.id in ids:
            raise DatasetError(
                f"{where}:{lineno}: id: duplicate id {scenario.id!r} (first on line {ids[scenario.id]})"
            )
        key = fold(scenario.message)
        if key in messages:
            # find_scenario looks scenarios up by message, so two equal messages are ambiguous.
            raise DatasetError(
                f"{where}:{lineno}: message: same text (case and whitespace folded) as line "
                f"{messages[key]}"
            )
        ids[scenario.id] = lineno
        messages[key] = lineno
        scenarios.append(scenario)
    if not scenarios:
        raise DatasetError(f"{where}: no scenarios")
    return tuple(scenarios)


class Dataset:
    """A loaded scenario file with its message index; one per resolved path."""

    def __init__(self, scenarios: tuple[Scenario, ...]) -> None:
        self.scenarios = scenarios
        self.by_message = {fold(s.message): s for s in scenarios}
        self.by_split = {split: tuple(s for s in scenarios if s.split == split) for split in SPLITS}


_cache: dict[tuple[str, str], Dataset] = {}
_world_cache: dict[str, dict[str, Any]] = {}
_default_dataset: dict[str | None, Dataset] = {}
_lock = threading.Lock()


def dataset(path: Path | None) -> Dataset:
    """The (cached) dataset at ``path``, world.json taken from the same directory."""
    if path is None:
        # The simulator asks for the default dataset on every call: skip path resolution.
        found = _default_dataset.get(os.environ.get("INFRALAB_DATA_DIR"))
        if found is not None:
            return found
    scenarios_path = Path(path) if path is not None else default_scenarios_path()
    world_path = scenarios_path.parent / "world.json"
    key = (str(scenarios_path.resolve()), str(world_path.resolve()))
    found = _cache.get(key)
    if found is None:
        with _lock:
            found = _cache.get(key)
            if found is None:
                found = Dataset(parse_scenarios(scenarios_path, world_path))
                _cache[key] = found
    if path is None:
        _default_dataset[os.environ.get("INFRALAB_DATA_DIR")] = found
    return found


def world_template(path: Path | None) -> dict[str, Any]:
    """The parsed world at ``path``, validated once and cached. Shared: never mutate it."""
    world_path = Path(path) if path is not None else default_world_path()
    key = str(world_path.resolve())
    found = _world_cache.get(key)
    if found is None:
        with _lock:
            found = _world_cache.get(key)
            if found is None:
                parse_world(world_path)
                found = json.loads(_read_world_text(world_path))
                _world_cache[key] = found
    return found


def world(path: Path | None) -> dict[str, Any]:
    """A fresh, deep, mutable copy of the world at ``path``."""
    template = world_template(path)
    # A JSON round trip is a deep copy about four times faster than copy.deepcopy here.
    return json.loads(json.dumps(template))


def episode_world(path: Path | None = None) -> dict[str, Any]:
    """A world for one episode: its customer and order records are copied, the rest shared.

    What the tool world changes are top-level fields of customers and orders, so a one-level
    copy of those records isolates episodes at a fraction of a deep copy's cost (1,000 desks
    are built per benchmark run). Products, the knowledge base and nested values (order
    items, addresses) are shared and must be treated as read-only.
    """
    base = world_template(path)
    fresh = dict(base)
    fresh["customers"] = [dict(c) for c in base["customers"]]
    fresh["orders"] = [dict(o) for o in base["orders"]]
    return fresh


def clear_caches() -> None:
    """Forget loaded files (for tests that rewrite them)."""
    with _lock:
        _cache.clear()
        _world_cache.clear()
        _default_dataset.clear()
