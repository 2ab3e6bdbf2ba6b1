"""The vendored public corpora: row counts, the train/test split, licences, loader errors."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import re
import shutil
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from infralab.datasets import (
    AGENTDOJO_ATTACKS,
    BFCL_CATEGORIES,
    AgentDojoInjection,
    BfclCase,
    DatasetError,
    LabelledPrompt,
    _corpora,
    corpus_source,
    load_agentdojo_injections,
    load_bfcl,
    load_injection_labels,
    load_scenarios,
)
from infralab.datasets._loader import clear_caches

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets"
CORPORA = {
    "bfcl": ("bfcl-eval", "Apache License", "Version 2.0"),
    "agentdojo": ("agentdojo", "MIT License", "Edoardo Debenedetti"),
    "bastioncorpus": ("bastioncorpus", "MIT License", "Stefano Rizzello"),
}


def _extractor():
    spec = importlib.util.spec_from_file_location("extract_corpora", DATA / "extract_corpora.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_corpora", module)
    spec.loader.exec_module(module)
    return module


def _load_all() -> dict[str, tuple]:
    """Every split file's rows through the public loaders, keyed by file name."""
    files: dict[str, tuple] = {}
    for category in BFCL_CATEGORIES:
        for split in ("train", "test"):
            files[f"bfcl/{category}.{split}.jsonl"] = load_bfcl(category, split)
    for split in ("train", "test"):
        files[f"agentdojo/injection_tasks.{split}.jsonl"] = load_agentdojo_injections(split)
        files[f"bastioncorpus/injections.{split}.jsonl"] = load_injection_labels(split)
    return files


# --------------------------------------------------------------------------- counts and files


def test_row_counts_match_source_json_and_datasheet():
    loaded = _load_all()
    for corpus in CORPORA:
        source = corpus_source(corpus)
        datasheet = (DATA / corpus / "DATASHEET.md").read_text(encoding="utf-8")
        table = dict(re.findall(r"^\| `([\w.]+\.jsonl)` \| (\d+) \|", datasheet, re.M))
        assert table, f"{corpus}/DATASHEET.md has no '| `file` | rows |' table"
        for name, info in source["files"].items():
            assert int(table[name]) == info["rows"], f"{corpus}/DATASHEET.md: {name}"
            key = f"{corpus}/{name}"
            if key in loaded:
                assert len(loaded[key]) == info["rows"], key
            lines = (DATA / corpus / name).read_text(encoding="utf-8").splitlines()
            assert len(lines) == info["rows"], key
        assert set(table) == set(source["files"]), f"{corpus}/DATASHEET.md lists other files"


def test_files_are_the_extracted_bytes():
    """SOURCE.json records each file's sha256 at extraction: nobody edited the rows by hand."""
    for corpus in CORPORA:
        for name, info in corpus_source(corpus)["files"].items():
            data = (DATA / corpus / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == info["sha256"], f"{corpus}/{name}"


def test_source_json_pins_the_wheel():
    pins = _extractor().PINS
    for corpus, (dist, _licence, _holder) in CORPORA.items():
        source = corpus_source(corpus)
        version, wheel, sha = pins[dist]
        assert (source["distribution"], source["version"]) == (dist, version)
        assert (source["wheel"], source["sha256"]) == (wheel, sha)
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
        assert source["extracted_members"]


def test_expected_sizes():
    assert {c: len(load_bfcl(c)) for c in BFCL_CATEGORIES} == {
        "irrelevance": 240,
        "live_irrelevance": 884,
        "multi_turn_miss_param": 200,
        "multi_turn_miss_func": 200,
    }
    assert corpus_source("bfcl")["categories"] == {c: len(load_bfcl(c)) for c in BFCL_CATEGORIES}
    injections = load_agentdojo_injections()
    assert Counter(i.suite for i in injections) == corpus_source("agentdojo")["suites"]
    labels = Counter(r.label for r in load_injection_labels())
    assert labels == corpus_source("bastioncorpus")["labels"]
    assert labels["benign"] >= 50 and labels["malicious"] >= 100


def test_vendored_data_stays_small():
    total = sum(p.stat().st_size for c in CORPORA for p in (DATA / c).iterdir())
    assert total < 4 * 1024 * 1024


def test_licences_notice_and_datasheets_present():
    for corpus, (_dist, licence, holder) in CORPORA.items():
        text = (DATA / corpus / "LICENSE").read_text(encoding="utf-8")
        assert licence in text and holder in text, corpus
        datasheet = (DATA / corpus / "DATASHEET.md").read_text(encoding="utf-8")
        for heading in ("## Fields", "## Provenance", "## Licence", "## What was kept", "## Split"):
            assert heading in datasheet, f"{corpus}/DATASHEET.md: {heading}"
    notice = (DATA / "bfcl" / "NOTICE").read_text(encoding="utf-8")
    assert "Apache License" in notice and "Modified" in notice


def test_upstream_packages_are_not_runtime_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = " ".join(project["dependencies"]).lower()
    for dist in ("bfcl", "agentdojo", "bastioncorpus"):
        assert dist not in deps
    code = (REPO / "infralab" / "datasets" / "_corpora.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+(bfcl_eval|agentdojo|bastioncorpus)", code, re.M)


# --------------------------------------------------------------------------- the split


def test_split_is_deterministic_disjoint_and_seventy_thirty():
    rule = _extractor()
    groups = {
        **{f"bfcl:{c}": ("bfcl", load_bfcl(c), lambda r: "all") for c in BFCL_CATEGORIES},
        "agentdojo": ("agentdojo", load_agentdojo_injections(), lambda r: r.suite),
        "bastioncorpus": ("bastioncorpus", load_injection_labels(), lambda r: r.label),
    }
    for name, (corpus, rows, stratum) in groups.items():
        train = {r.id for r in rows if r.split == "train"}
        test = {r.id for r in rows if r.split == "test"}
        assert train and test and not train & test, name
        assert len(train) + len(test) == len(rows), f"{name}: duplicate ids"
        assert 0.65 <= len(train) / len(rows) <= 0.75, name
        # Recompute the documented rule from the ids alone: the same rows land in train.
        strata = {r.id: stratum(r) for r in rows}
        recomputed = rule.split_rows(
            corpus, [{"id": r.id} for r in rows], lambda d, strata=strata: strata[d["id"]]
        )
        assert {d["id"] for d in recomputed["train"]} == train, name


def test_split_argument():
    both = load_injection_labels()
    assert both == load_injection_labels("train") + load_injection_labels("test")
    with pytest.raises(ValueError, match="split"):
        load_injection_labels("dev")
    with pytest.raises(ValueError, match="category"):
        load_bfcl("simple_python")


# --------------------------------------------------------------------------- the records


def test_records_are_frozen_and_hashable():
    case = load_bfcl("irrelevance")[0]
    injection = load_agentdojo_injections()[0]
    label = load_injection_labels()[0]
    for record in (case, injection, label):
        assert dataclasses.is_dataclass(record)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.id = "x"  # type: ignore[misc]
        hash(record)
    with pytest.raises(TypeError):
        case.functions[0]["name"] = "x"  # type: ignore[index]
    assert isinstance(case, BfclCase)
    assert isinstance(injection, AgentDojoInjection)
    assert isinstance(label, LabelledPrompt)


def test_bfcl_semantics():
    for case in load_bfcl("irrelevance") + load_bfcl("live_irrelevance"):
        assert case.irrelevant and case.ground_truth == ()
        assert len(case.turns) == 1 and case.turns[0][-1]["role"] == "user"
    # Upstream, four live_irrelevance cases offer no function at all.
    assert sum(not c.functions for c in load_bfcl("live_irrelevance")) == 4
    assert all(c.functions for c in load_bfcl("irrelevance"))
    for case in load_bfcl("multi_turn_miss_param"):
        assert not case.irrelevant and not case.held_out and case.initial_config
        assert len(case.ground_truth) == len(case.turns)
        # The turn that lacks a parameter expects no call: the model must ask.
        assert any(not turn for turn in case.ground_truth), case.id
    for case in load_bfcl("multi_turn_miss_func"):
        assert case.held_out, case.id
        names = {f["name"] for f in case.functions}
        for turn, docs in case.held_out.items():
            assert case.turns[turn] == ()  # the functions arrive in an otherwise empty turn
            assert docs and not names & {d["name"] for d in docs}
            assert case.ground_truth[turn - 1] == ()  # before they arrive: no call is right


def test_agentdojo_semantics():
    injections = load_agentdojo_injections()
    assert {i.suite for i in injections} == {"banking", "slack", "travel", "workspace"}
    for inj in injections:
        assert inj.id == f"{inj.suite}/{inj.task}" and inj.goal
        assert inj.vectors and all(v.suite == inj.suite for v in inj.vectors)
        for attack in AGENTDOJO_ATTACKS:
            assert inj.goal in inj.text(attack)
    text = injections[0].text("important_instructions", user="Ada", model="sim-large")
    assert "<INFORMATION>" in text and "Ada" in text and "sim-large" in text
    with pytest.raises(ValueError, match="attack"):
        injections[0].text("gcg")


def test_injection_label_semantics():
    rows = load_injection_labels()
    assert {r.label for r in rows} == {"malicious", "benign"}
    assert all(r.severity <= 1 for r in rows if not r.malicious)
    assert all(r.severity >= 3 for r in rows if r.malicious)
    assert any(r.category.startswith("benign_") for r in rows if not r.malicious)
    assert all(not r.category.startswith("benign_") for r in rows if r.malicious)


# --------------------------------------------------------------------------- errors


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of datasets/ (support desk and corpora) that INFRALAB_DATA_DIR points at."""
    root = tmp_path / "data"
    for name in ("support_desk", "incidents", *CORPORA):
        shutil.copytree(DATA / name, root / name)
    monkeypatch.setenv("INFRALAB_DATA_DIR", str(root))
    yield root
    _corpora.clear_caches()
    clear_caches()


def _rewrite(path: Path, lineno: int, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[lineno - 1])
    change(row)
    lines[lineno - 1] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_loaders_read_from_the_data_dir(data_copy: Path):
    assert len(load_scenarios()) > 0
    assert len(load_injection_labels()) == len(load_injection_labels("train")) + len(
        load_injection_labels("test")
    )
    # A copy without the test files (what a learner's sandbox gets): train only.
    (data_copy / "bastioncorpus" / "injections.test.jsonl").unlink()
    assert load_injection_labels() == load_injection_labels("train")
    with pytest.raises(DatasetError, match=r"injections\.test\.jsonl: file not found"):
        load_injection_labels("test")


@pytest.mark.parametrize(
    ("corpus", "file", "line", "change", "message"),
    [
        (
            "bfcl",
            "irrelevance.train.jsonl",
            3,
            lambda r: r.update(function="calc"),
            r"irrelevance\.train\.jsonl:3: function: expected a list",
        ),
        (
            "bfcl",
            "live_irrelevance.test.jsonl",
            2,
            lambda r: r["question"][0][0].update(role="robot"),
            r"live_irrelevance\.test\.jsonl:2: question\[0\]\[0\]\.role: unexpected role",
        ),
        (
            "bfcl",
            "multi_turn_miss_func.train.jsonl",
            5,
            lambda r: r.update(missed_function={"1": ["no_such_tool"]}),
            r"multi_turn_miss_func\.train\.jsonl:5: missed_function\.1\[0\]: no function",
        ),
        (
            "bfcl",
            "multi_turn_miss_param.test.jsonl",
            1,
            lambda r: r["ground_truth"].pop(),
            r"multi_turn_miss_param\.test\.jsonl:1: ground_truth: \d+ turns",
        ),
        (
            "agentdojo",
            "injection_tasks.test.jsonl",
            2,
            lambda r: r.pop("goal"),
            r"injection_tasks\.test\.jsonl:2: goal: missing",
        ),
        (
            "agentdojo",
            "injection_tasks.train.jsonl",
            4,
            lambda r: r.update(difficulty="extreme"),
            r"injection_tasks\.train\.jsonl:4: difficulty: 'extreme'",
        ),
        (
            "bastioncorpus",
            "injections.train.jsonl",
            7,
            lambda r: r.update(label="maybe"),
            r"injections\.train\.jsonl:7: label: 'maybe' is not malicious or benign",
        ),
        (
            "bastioncorpus",
            "injections.test.jsonl",
            3,
            lambda r: r.update(severity="high"),
            r"injections\.test\.jsonl:3: severity: expected an integer",
        ),
    ],
)
def test_bad_rows_name_file_line_and_field(data_copy, corpus, file, line, change, message):
    _rewrite(data_copy / corpus / file, line, change)
    loader = {
        "bfcl": lambda: load_bfcl(file.split(".")[0]),
        "agentdojo": load_agentdojo_injections,
        "bastioncorpus": load_injection_labels,
    }[corpus]
    with pytest.raises(DatasetError, match=message):
        loader()


def test_bad_json_and_duplicate_ids(data_copy: Path):
    path = data_copy / "bastioncorpus" / "injections.train.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:4], "{not json", *lines[4:]]) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"injections\.train\.jsonl:5: not valid JSON"):
        load_injection_labels()
    path.write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=rf":{len(lines) + 1}: id: duplicate id"):
        load_injection_labels()


def test_missing_corpus_file(data_copy: Path):
    (data_copy / "bfcl" / "multi_turn_func_doc.jsonl").unlink()
    with pytest.raises(DatasetError, match=r"multi_turn_func_doc\.jsonl: file not found"):
        load_bfcl("multi_turn_miss_param")
    assert load_bfcl("irrelevance")  # single-turn cases do not need the docs
