"""The support-desk scenario data: loader, validation errors, lookup, generator determinism."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from infralab.datasets import (
    ROUTES,
    DatasetError,
    Scenario,
    ToolCall,
    find_scenario,
    load_scenarios,
    load_world,
)
from infralab.datasets._generate import generate
from infralab.datasets._loader import clear_caches

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets" / "support_desk"


@pytest.fixture
def tmp_dataset(tmp_path: Path) -> Path:
    """A copy of the committed dataset in a temporary directory (files may be rewritten)."""
    out = tmp_path / "support_desk"
    out.mkdir()
    shutil.copy(DATA / "world.json", out / "world.json")
    shutil.copy(DATA / "scenarios.jsonl", out / "scenarios.jsonl")
    yield out
    clear_caches()


def _rows() -> list[dict]:
    return [json.loads(line) for line in (DATA / "scenarios.jsonl").read_text().splitlines()]


def _write(path: Path, rows: list[dict]) -> Path:
    target = path / "scenarios.jsonl"
    target.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return target


# --------------------------------------------------------------------------- the data


def test_dataset_size_balance_and_shares():
    scenarios = load_scenarios()
    n = len(scenarios)
    assert n >= 300
    routes = Counter(s.route for s in scenarios)
    assert set(routes) == set(ROUTES)
    for route, count in routes.items():
        assert 0.2 <= count / n <= 0.3, (route, count)
    assert 0.08 <= sum(s.ambiguous for s in scenarios) / n <= 0.12
    assert 0.08 <= sum(s.injection is not None for s in scenarios) / n <= 0.12
    channels = Counter(s.injection.channel for s in scenarios if s.injection)
    assert channels["user"] > 0 and channels["tool_output"] > 0
    assert [s.id for s in scenarios] == sorted(s.id for s in scenarios)
    assert all(s.id == f"sd-{i:04d}" for i, s in enumerate(scenarios, start=1))


def test_splits_are_fixed_70_30_and_cover_every_route_and_kind():
    train, test = load_scenarios(split="train"), load_scenarios(split="test")
    everything = load_scenarios()
    assert len(train) + len(test) == len(everything)
    assert {s.id for s in train}.isdisjoint(s.id for s in test)
    assert 0.27 <= len(test) / len(everything) <= 0.33
    for part in (train, test):
        assert {s.route for s in part} == set(ROUTES)
        assert any(s.ambiguous for s in part)
        assert any(s.injection and s.injection.channel == "tool_output" for s in part)
        assert any(s.injection and s.injection.channel == "user" for s in part)
    with pytest.raises(ValueError, match="split"):
        load_scenarios(split="dev")


def test_rows_are_typed_and_round_trip_to_the_file_shape():
    rows = _rows()
    scenarios = load_scenarios()
    for row, s in zip(rows, scenarios, strict=True):
        assert isinstance(s, Scenario)
        assert all(isinstance(c, ToolCall) for c in s.expected_tool_calls)
        assert isinstance(s.answer_facts, tuple)
        assert s.to_dict() == row
        hash(s)  # frozen and hashable, although ToolCall.args is a dict


def test_ambiguous_rows_ask_instead_of_acting():
    for s in load_scenarios():
        if s.ambiguous:
            assert s.clarifying_question and "?" in s.clarifying_question
            assert s.expected_tool_calls == () and s.injection is None
        else:
            assert s.clarifying_question is None
            assert s.expected_tool_calls and s.answer_facts


def test_ambiguous_order_requests_come_from_customers_with_several_orders():
    world = load_world()
    orders = Counter(o["customer_id"] for o in world["orders"])
    for s in load_scenarios():
        if s.ambiguous and s.route in ("billing", "shipping"):
            assert orders[s.customer_id] >= 2, s.id
            assert "O1" not in s.message  # no order number: that is what makes it ambiguous


def test_user_channel_injections_are_in_the_message_and_tool_ones_are_not():
    for s in load_scenarios():
        if s.injection is None:
            continue
        inj = s.injection
        if inj.channel == "user":
            assert inj.tool is None and inj.text in s.message
        else:
            assert inj.text not in s.message
            assert inj.tool in [c.name for c in s.expected_tool_calls]
        assert inj.forbidden_tool_call not in s.expected_tool_calls


def test_messages_are_varied():
    scenarios = load_scenarios()
    for intent in {s.intent for s in scenarios}:
        mine = [s for s in scenarios if s.intent == intent and not s.ambiguous]
        # different templates, not one sentence with the ids swapped
        starts = {s.message.split("O1")[0].split("@")[0][-25:] for s in mine}
        assert len(starts) >= 3, intent


# --------------------------------------------------------------------------- find_scenario


def test_find_scenario_folds_case_and_whitespace():
    s = load_scenarios()[7]
    assert find_scenario(s.message) is s
    assert find_scenario(s.message.upper()) is s
    assert find_scenario("  \n" + "\t ".join(s.message.split(" ")) + "\n") is s
    assert find_scenario(s.message.casefold()) is s


def test_find_scenario_misses():
    s = load_scenarios()[7]
    assert find_scenario(s.message + " ?") is None
    assert find_scenario(s.message[:-1]) is None
    assert find_scenario("") is None
    assert find_scenario("hello") is None
    assert find_scenario(None) is None
    assert find_scenario([{"type": "text", "text": s.message}]) is None


def test_every_message_is_found_as_itself():
    for s in load_scenarios():
        assert find_scenario(s.message) is s


def test_load_scenarios_is_cached():
    assert load_scenarios() is load_scenarios()
    assert load_scenarios(split="test") is load_scenarios(split="test")


def test_load_world_returns_a_fresh_copy():
    world = load_world()
    assert {"customers", "orders", "products", "kb"} <= set(world)
    world["orders"].clear()
    assert load_world()["orders"]


def test_data_dir_env_var(tmp_dataset: Path, monkeypatch: pytest.MonkeyPatch):
    rows = _rows()[:3]
    rows[0]["message"] = "A message only the copy has."
    _write(tmp_dataset, rows)
    monkeypatch.setenv("INFRALAB_DATA_DIR", str(tmp_dataset.parent))
    assert len(load_scenarios()) == 3
    assert find_scenario("a message ONLY the copy has.").id == rows[0]["id"]
    monkeypatch.delenv("INFRALAB_DATA_DIR")
    assert len(load_scenarios()) == len(_rows())


def test_explicit_path(tmp_dataset: Path):
    _write(tmp_dataset, _rows()[:5])
    assert [s.id for s in load_scenarios(tmp_dataset / "scenarios.jsonl")] == [
        f"sd-{i:04d}" for i in range(1, 6)
    ]


# --------------------------------------------------------------------------- validation


def _route(r):
    r["route"] = "biling"


def _missing_intent(r):
    del r["intent"]


def _bool_ambiguous(r):
    r["ambiguous"] = "no"


def _unknown_tool(r):
    r["expected_tool_calls"] = [{"name": "refund_everything", "args": {}}]


def _unknown_order(r):
    r["expected_tool_calls"] = [{"name": "lookup_order", "args": {"order_id": "O99999"}}]


def _unknown_param(r):
    r["expected_tool_calls"] = [
        {"name": "lookup_order", "args": {"order_id": "O10001", "verbose": True}}
    ]


def _missing_param(r):
    r["expected_tool_calls"] = [{"name": "refund_order", "args": {"order_id": "O10001"}}]


def _unknown_customer(r):
    r["customer_id"] = "C9999"


def _unknown_email(r):
    r["expected_tool_calls"] = [{"name": "get_customer", "args": {"email": "x@nowhere.example"}}]


def _question_without_ambiguity(r):
    r["ambiguous"], r["clarifying_question"] = False, "Which one?"


def _ambiguous_without_question(r):
    r["ambiguous"], r["clarifying_question"] = True, None


def _bad_channel(r):
    r["injection"] = {
        "channel": "email",
        "tool": None,
        "text": "x",
        "forbidden_tool_call": {"name": "lookup_order", "args": {"order_id": "O10001"}},
    }


def _forbidden_unknown_order(r):
    r["injection"] = {
        "channel": "user",
        "tool": None,
        "text": "refund O99999",
        "forbidden_tool_call": {
            "name": "refund_order",
            "args": {"order_id": "O99999", "amount": 1},
        },
    }


def _bad_split(r):
    r["split"] = "dev"


def _extra_field(r):
    r["difficulty"] = 3


def _fact_not_str(r):
    r["answer_facts"] = [49.9]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_route, "route: 'biling' is not one of billing, shipping, technical, account"),
        (_missing_intent, "intent: missing"),
        (_bool_ambiguous, "ambiguous: expected true or false, got str 'no'"),
        (_unknown_tool, "expected_tool_calls[0].name: 'refund_everything' is not a known tool"),
        (_unknown_order, "expected_tool_calls[0].args.order_id: 'O99999' is not an order"),
        (_unknown_param, "expected_tool_calls[0].args.verbose: lookup_order has no parameter"),
        (_missing_param, "expected_tool_calls[0].args.amount: missing (required by refund_order)"),
        (_unknown_customer, "customer_id: 'C9999' is not a customer in world.json"),
        (_unknown_email, "expected_tool_calls[0].args.email: 'x@nowhere.example' is not in"),
        (_question_without_ambiguity, "clarifying_question: must be null"),
        (_ambiguous_without_question, "clarifying_question: an ambiguous scenario needs"),
        (_bad_channel, "injection.channel: 'email' is not one of user, tool_output"),
        (_forbidden_unknown_order, "injection.forbidden_tool_call.args.order_id: 'O99999'"),
        (_bad_split, "split: 'dev' is not one of train, test"),
        (_extra_field, "difficulty: unknown field"),
        (_fact_not_str, "answer_facts[0]: expected a non-empty string, got 49.9"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_dataset: Path, mutate, expected):
    rows = _rows()[:20]
    mutate(rows[16])  # line 17
    path = _write(tmp_dataset, rows)
    with pytest.raises(DatasetError) as err:
        load_scenarios(path)
    message = str(err.value)
    assert message.startswith(f"{path}:17: "), message
    assert expected in message


def test_duplicate_id_names_both_lines(tmp_dataset: Path):
    rows = _rows()[:10]
    rows[8]["id"] = rows[2]["id"]
    path = _write(tmp_dataset, rows)
    with pytest.raises(DatasetError, match=r":9: id: duplicate id 'sd-0003' \(first on line 3\)"):
        load_scenarios(path)


def test_duplicate_message_after_folding(tmp_dataset: Path):
    rows = _rows()[:10]
    rows[5]["message"] = "  " + rows[1]["message"].upper()
    path = _write(tmp_dataset, rows)
    with pytest.raises(DatasetError, match=":6: message: same text .* as line 2"):
        load_scenarios(path)


def test_bad_json_line(tmp_dataset: Path):
    path = tmp_dataset / "scenarios.jsonl"
    lines = path.read_text().splitlines()[:4]
    lines[2] = lines[2][:-1]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"scenarios.jsonl:3: not valid JSON"):
        load_scenarios(path)


def test_missing_files(tmp_path: Path, tmp_dataset: Path):
    with pytest.raises(DatasetError, match="world.json: file not found"):
        load_scenarios(tmp_path / "nowhere" / "scenarios.jsonl")
    (tmp_dataset / "scenarios.jsonl").unlink()
    with pytest.raises(DatasetError, match="scenarios.jsonl: file not found"):
        load_scenarios(tmp_dataset / "scenarios.jsonl")


def test_bad_world_names_the_field(tmp_dataset: Path):
    world = json.loads((tmp_dataset / "world.json").read_text())
    world["orders"][3]["id"] = world["orders"][2]["id"]
    (tmp_dataset / "world.json").write_text(json.dumps(world))
    with pytest.raises(DatasetError, match=r"world.json: orders\[3\].id: duplicate id"):
        load_scenarios(tmp_dataset / "scenarios.jsonl")


def test_error_path_is_relative_to_the_working_directory(
    tmp_dataset: Path, monkeypatch: pytest.MonkeyPatch
):
    rows = _rows()[:3]
    rows[1]["route"] = "biling"
    _write(tmp_dataset, rows)
    monkeypatch.chdir(tmp_dataset.parent)
    with pytest.raises(DatasetError) as err:
        load_scenarios(Path("support_desk/scenarios.jsonl"))
    assert str(err.value).startswith("support_desk/scenarios.jsonl:2: route: 'biling'")


# --------------------------------------------------------------------------- generator


def test_generator_reproduces_the_committed_files(tmp_path: Path):
    generate(7, tmp_path)
    for name in ("world.json", "scenarios.jsonl"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_generator_cli_is_deterministic_across_processes(tmp_path: Path):
    # Another process with another hash seed: no draw may depend on hash() or global state.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "infralab.datasets.generate", "--seed", "7", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "scenarios: 360" in done.stdout
    assert "ambiguous: 36 (10.0%)" in done.stdout
    for name in ("world.json", "scenarios.jsonl"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_another_seed_gives_other_valid_data(tmp_path: Path):
    dist = generate(8, tmp_path)
    assert (tmp_path / "scenarios.jsonl").read_bytes() != (DATA / "scenarios.jsonl").read_bytes()
    scenarios = load_scenarios(tmp_path / "scenarios.jsonl")  # validates against its world
    assert len(scenarios) == dist["scenarios"] >= 300
    clear_caches()
