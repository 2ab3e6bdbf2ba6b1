"""infralab.evals: the agent under test, its plain-data episodes, and the labelled judge pairs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from infralab.datasets import load_scenarios
from infralab.evals import (
    AGENT_VERSIONS,
    ASK_USER,
    SIDE_EFFECT_TOOLS,
    expected_trajectory,
    judge_pairs,
    run_episode,
    trajectory_of,
)
from infralab.llm import SimJudge, get_profile
from infralab.llm._judge import true_winner
from infralab.tools import SupportDesk

TRAIN = load_scenarios(split="train")


def _first(pred):
    return next(s for s in TRAIN if pred(s))


def test_every_agent_version_runs_on_a_known_profile():
    for version, profile in AGENT_VERSIONS.items():
        assert get_profile(profile).id == profile, version


def test_trajectory_of_lists_tool_calls_and_questions_but_not_answers():
    messages = [
        HumanMessage("refund O1"),
        AIMessage("", tool_calls=[{"name": "lookup_order", "args": {"order_id": "O1"}, "id": "1"}]),
        ToolMessage("{}", tool_call_id="1"),
        AIMessage("Which order do you mean?"),
        AIMessage("Done. Refunded."),
    ]
    assert trajectory_of(messages) == [
        {"name": "lookup_order", "args": {"order_id": "O1"}},
        {"name": ASK_USER, "args": {"question": "Which order do you mean?"}},
    ]


def test_expected_trajectory_is_the_calls_or_the_clarifying_question():
    plain = _first(lambda s: s.expected_tool_calls)
    assert [c["name"] for c in expected_trajectory(plain)] == [
        c.name for c in plain.expected_tool_calls
    ]
    ambiguous = _first(lambda s: s.ambiguous)
    assert expected_trajectory(ambiguous) == [
        {"name": ASK_USER, "args": {"question": ambiguous.clarifying_question}}
    ]


def test_run_episode_reports_the_desks_own_logs_as_plain_data():
    scenario = _first(
        lambda s: (
            not s.ambiguous
            and s.injection is None
            and [c.name for c in s.expected_tool_calls] == ["lookup_order", "refund_order"]
        )
    )
    run = run_episode(scenario, "v1", seed=0)
    json.dumps(run)  # plain data all the way down
    assert run["finished"] is True
    assert [s["name"] for s in run["trajectory"]] == ["lookup_order", "refund_order"]
    assert [c["tool"] for c in run["calls"]] == ["lookup_order", "refund_order"]
    (effect,) = run["side_effects"]
    assert effect["tool"] == "refund_order"
    assert effect["args"] == dict(scenario.expected_tool_calls[1].args)


def test_run_episode_acts_on_the_desk_it_is_given():
    scenario = _first(lambda s: any(c.name in SIDE_EFFECT_TOOLS for c in s.expected_tool_calls))
    desk = SupportDesk(scenario=scenario)
    run = run_episode(scenario, "v1", seed=0, desk=desk)
    assert run["side_effects"] == [e.to_dict() for e in desk.side_effects]


def test_run_episode_refuses_an_unknown_version():
    with pytest.raises(KeyError, match="v1"):
        run_episode(TRAIN[0], "v9")


def test_episodes_are_reproducible_in_another_process():
    scenario = _first(lambda s: len(s.expected_tool_calls) >= 2)
    here = run_episode(scenario, "v2-lite", seed=3)
    code = (
        "import json; from infralab.datasets import load_scenarios; "
        "from infralab.evals import run_episode; "
        f"s = [x for x in load_scenarios() if x.id == {scenario.id!r}][0]; "
        "print(json.dumps(run_episode(s, 'v2-lite', seed=3)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == json.loads(json.dumps(here))


def test_the_candidates_differ_from_v1_the_way_the_catalog_says():
    # v2 follows injected instructions more often than v1 (catalog: 0.30 vs 0.10).
    injected = [s for s in TRAIN if s.injection is not None]

    def followed(version):
        count = 0
        for s in injected:
            for seed in (0, 1):
                forbidden = s.injection.forbidden_tool_call
                effects = run_episode(s, version, seed=seed)["side_effects"]
                count += any(
                    e["tool"] == forbidden.name and e["args"] == dict(forbidden.args)
                    for e in effects
                )
        return count

    assert followed("v2") > followed("v1")


def test_judge_pairs_labels_follow_the_facts_and_splits_stay_apart():
    train, test = judge_pairs("train"), judge_pairs("test")
    assert train and test
    assert not {p["id"] for p in train} & {p["id"] for p in test}
    for pair in train + test:
        assert pair["label"] == true_winner(pair["a"], pair["b"], pair["facts"])
    labels = Counter(p["label"] for p in train)
    assert min(labels.values()) >= 0.2 * len(train)  # A, B and tie all well represented
    assert judge_pairs("train") == train  # deterministic


def test_the_default_judge_shows_position_bias_on_the_pairs():
    # The reason the lab debiases: on errors, the default judge leans to the first answer.
    judge = SimJudge(seed=0)
    rank = {"A": 1, "tie": 0, "B": -1}
    towards_a = errors = 0
    for pair in judge_pairs("train"):
        reply = judge.invoke(SimJudge.pairwise_prompt(pair["a"], pair["b"], facts=pair["facts"]))
        verdict = reply.content.split("\n")[0].removeprefix("Winner: ")
        if verdict != pair["label"]:
            errors += 1
            towards_a += rank[verdict] > rank[pair["label"]]
    assert errors and towards_a / errors > 0.55


def test_judge_pairs_datasheet_counts_are_the_functions():
    # datasets/judge_pairs/DATASHEET.md documents judge_pairs(); its table must stay true.
    sheet = (Path(__file__).parents[1] / "datasets/judge_pairs/DATASHEET.md").read_text()
    rows = re.findall(
        r"^\| `(\w+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) / (\d+) / (\d+) \|$",
        sheet,
        re.M,
    )
    assert sorted(r[0] for r in rows) == ["test", "train"]
    for split, *numbers in rows:
        pairs = judge_pairs(split)
        labels = Counter(p["label"] for p in pairs)
        facts = Counter(len(p["facts"]) for p in pairs)
        want = [
            len(load_scenarios(split=split)),
            len(pairs),
            labels["A"],
            labels["B"],
            labels["tie"],
            facts[1],
            facts[2],
            facts[3],
        ]
        assert [int(n) for n in numbers] == want, split
        assert sum(facts.values()) == len(pairs)  # no pair with 0 or more than 3 facts
