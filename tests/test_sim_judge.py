"""SimJudge: known agreement with ground-truth labels and biases in the documented direction."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError
from stubs.rates import assert_rate
from typing_extensions import TypedDict

from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel, SimJudge
from infralab.llm._judge import (
    coverage,
    parse_judge_prompt,
    reference_facts,
    true_score,
    true_winner,
)

ROOT = Path(__file__).resolve().parents[1]


N = 400
FACTS = ["O10145", "45.90", "UPS", "2025-12-03"]
NO_BIAS = {"position_bias": 0.0, "leniency": 0.0, "verbosity_bias": 0.0, "self_preference": 0.0}


def answer_with(k: int, i: int = 0, pad: int = 0) -> str:
    """An answer that mentions the first ``k`` facts; ``i`` makes items distinct."""
    said = ", ".join(FACTS[:k]) or "nothing useful"
    return f"Case {i}: {said}." + " More words here." * pad


def item(judge, prompt):
    return judge.verdict(parse_judge_prompt([HumanMessage(content=prompt)]))


# --------------------------------------------------------------------------- ground truth


def test_true_labels_come_from_the_facts_mentioned():
    assert [true_score(answer_with(k), FACTS) for k in range(5)] == [1, 2, 3, 4, 5]
    assert true_winner(answer_with(3), answer_with(1), FACTS) == "A"
    assert true_winner(answer_with(1), answer_with(3), FACTS) == "B"
    assert true_winner(answer_with(2, 1), answer_with(2, 2), FACTS) == "tie"
    assert coverage("o10145 and 45.90", FACTS) == 0.5  # case folded


def test_reference_text_gives_key_terms():
    ref = "We refunded 45.90 for order O10145 to your original payment method."
    terms = reference_facts(ref)
    assert "45.90" in terms and "O10145" in terms and "refunded" in terms
    assert "your" not in terms and "for" not in terms
    prompt = SimJudge.pointwise_prompt(ref, reference=ref)
    assert item(SimJudge(agreement=1.0), prompt)["score"] == 5


def test_a_scenario_question_grades_against_its_answer_facts():
    s = next(s for s in load_scenarios() if len(s.answer_facts) >= 2)
    judge = SimJudge(agreement=1.0)
    good = judge.invoke(SimJudge.pointwise_prompt(" ".join(s.answer_facts), question=s.message))
    bad = judge.invoke(SimJudge.pointwise_prompt("I cannot help.", question=s.message))
    assert good.content.startswith("Score: 5") and bad.content.startswith("Score: 1")


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("agreement", [0.6, 0.8, 0.95])
def test_pointwise_agreement_matches_the_configured_rate(agreement):
    judge = SimJudge(agreement=agreement)  # default biases: they only steer the errors
    agreed = 0
    for i in range(N):
        k = i % 5
        v = item(judge, SimJudge.pointwise_prompt(answer_with(k, i), facts=FACTS))
        assert v["true"] == k + 1
        agreed += v["score"] == v["true"]
        assert 1 <= v["score"] <= 5
    assert_rate(agreed, N, agreement)


@pytest.mark.parametrize("agreement", [0.7, 0.9])
def test_pairwise_agreement_through_the_chat_interface(agreement):
    judge = SimJudge(agreement=agreement)
    agreed = 0
    for i in range(N):
        a, b = answer_with(i % 5, i), answer_with((i * 3 + 1) % 5, i)
        text = judge.invoke(SimJudge.pairwise_prompt(a, b, facts=FACTS)).content
        winner = text.splitlines()[0].removeprefix("Winner: ")
        agreed += winner == true_winner(a, b, FACTS)
    assert_rate(agreed, N, agreement)


def test_seeds_change_which_items_are_wrong_not_how_many():
    prompts = [SimJudge.pointwise_prompt(answer_with(i % 5, i), facts=FACTS) for i in range(N)]
    wrong = [
        {i for i, p in enumerate(prompts) if not item(SimJudge(seed=s), p)["agreed"]}
        for s in (0, 1)
    ]
    assert wrong[0] != wrong[1]
    for w in wrong:
        assert_rate(N - len(w), N, 0.8)


# --------------------------------------------------------------------------- biases


def error_rate_towards(judge_kw, prompts, towards) -> tuple[int, int]:
    judge = SimJudge(agreement=0.0, **{**NO_BIAS, **judge_kw})
    hits = sum(towards(item(judge, p)) for p in prompts)
    return hits, len(prompts)


@pytest.mark.parametrize("leniency", [-0.6, 0.0, 0.4, 0.8])
def test_leniency_shifts_errors_up(leniency):
    prompts = [SimJudge.pointwise_prompt(answer_with(2, i, pad=2), facts=FACTS) for i in range(N)]
    up, n = error_rate_towards({"leniency": leniency}, prompts, lambda v: v["score"] > v["true"])
    assert_rate(up, n, 0.5 + leniency / 2)


def test_leniency_raises_the_mean_score():
    prompts = [SimJudge.pointwise_prompt(answer_with(i % 5, i), facts=FACTS) for i in range(N)]
    means = []
    for leniency in (-0.8, 0.0, 0.8):
        judge = SimJudge(agreement=0.7, **{**NO_BIAS, "leniency": leniency})
        means.append(sum(item(judge, p)["score"] for p in prompts) / N)
    assert means[0] < means[1] < means[2]


@pytest.mark.parametrize("position_bias", [-0.6, 0.3, 0.8])
def test_position_bias_favours_the_first_answer(position_bias):
    ties = [
        SimJudge.pairwise_prompt(answer_with(2, i), answer_with(2, -i), facts=FACTS)
        for i in range(N)
    ]
    first, n = error_rate_towards(
        {"position_bias": position_bias}, ties, lambda v: v["winner"] == "A"
    )
    assert_rate(first, n, 0.5 + position_bias / 2)


@pytest.mark.parametrize("position_bias", [-0.8, 0.8])
def test_position_bias_shows_when_the_order_is_swapped(position_bias):
    """A lab's check: judge each pair in both orders. A consistent judge's two verdicts cancel
    out (A, then B); a position-biased one leans to whichever answer is shown first."""
    judge = SimJudge(agreement=0.6, **{**NO_BIAS, "position_bias": position_bias})
    lean = {"A": 1, "tie": 0, "B": -1}
    total = 0
    for i in range(N):
        x, y = answer_with(i % 5, i), answer_with((i + 2) % 5, i)
        v1 = item(judge, SimJudge.pairwise_prompt(x, y, facts=FACTS))["winner"]
        v2 = item(judge, SimJudge.pairwise_prompt(y, x, facts=FACTS))["winner"]
        total += lean[v1] + lean[v2]  # 0 for a consistent pair
    assert total * position_bias > 0.1 * N


@pytest.mark.parametrize("verbosity_bias", [0.3, 0.7])
def test_verbosity_bias_favours_the_longer_answer(verbosity_bias):
    long_first = [
        SimJudge.pairwise_prompt(answer_with(2, i, pad=6), answer_with(2, -i), facts=FACTS)
        for i in range(N)
    ]
    long_second = [
        SimJudge.pairwise_prompt(answer_with(2, i), answer_with(2, -i, pad=6), facts=FACTS)
        for i in range(N)
    ]
    kw = {"verbosity_bias": verbosity_bias}
    a, n = error_rate_towards(kw, long_first, lambda v: v["winner"] == "A")
    assert_rate(a, n, 0.5 + verbosity_bias / 2)
    b, n = error_rate_towards(kw, long_second, lambda v: v["winner"] == "B")
    assert_rate(b, n, 0.5 + verbosity_bias / 2)
    # pointwise: a padded answer errs upwards
    padded = [SimJudge.pointwise_prompt(answer_with(2, i, pad=16), facts=FACTS) for i in range(N)]
    up, n = error_rate_towards(kw, padded, lambda v: v["score"] > v["true"])
    assert_rate(up, n, 0.5 + verbosity_bias / 2)


def test_self_preference_favours_its_own_style_and_family():
    kw = {"self_preference": 0.6}
    # the simulator's own style: its oracle's opening sentence
    styled = [
        SimJudge.pairwise_prompt(
            "Here is what I found. " + answer_with(2, i), "Hi. " + answer_with(2, -i), facts=FACTS
        )
        for i in range(N)
    ]
    a, n = error_rate_towards(kw, styled, lambda v: v["winner"] == "A")
    assert_rate(a, n, 0.8)
    # answers as AIMessages: the header names the model; same family is preferred
    own = SimChatModel(profile="sim-large@2026-06", script=["x"]).invoke("hi").response_metadata
    other = {"model_name": "gpt-x"}
    prompts = [
        SimJudge.pairwise_prompt(
            AIMessage(content=answer_with(2, i), response_metadata=other),
            AIMessage(content=answer_with(2, -i), response_metadata=own),
            facts=FACTS,
        )
        for i in range(N)
    ]
    assert "(model: sim-large@2026-06)" in prompts[0]
    b, n = error_rate_towards(kw, prompts, lambda v: v["winner"] == "B")
    assert_rate(b, n, 0.8)
    # a judge of another family has no such preference
    judge = SimJudge(profile="sim-small", agreement=0.0, **{**NO_BIAS, **kw})
    b = sum(item(judge, p)["winner"] == "B" for p in prompts)
    assert_rate(b, N, 0.5)


def test_biases_add_up_and_saturate():
    prompts = [
        SimJudge.pairwise_prompt(answer_with(2, i, pad=6), answer_with(2, -i), facts=FACTS)
        for i in range(100)
    ]
    a, n = error_rate_towards(
        {"position_bias": 0.8, "verbosity_bias": 0.8}, prompts, lambda v: v["winner"] == "A"
    )
    assert a == n  # p = clamp(0.5 + 1.6 / 2) = 1


# --------------------------------------------------------------------------- formats


class Grade(BaseModel):
    reasoning: str
    score: int = Field(ge=1, le=10)


class Preference(BaseModel):
    explanation: str
    winner: Literal["first", "second", "tie"]


class PassFail(TypedDict):
    verdict: Literal["pass", "fail"]
    passed: bool


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_structured_output(method):
    judge = SimJudge(agreement=1.0)
    full = SimJudge.pointwise_prompt(answer_with(4), facts=FACTS)
    half = SimJudge.pointwise_prompt(answer_with(2), facts=FACTS)
    g = judge.with_structured_output(Grade, method=method).invoke(full)
    assert isinstance(g, Grade) and g.score == 10 and g.reasoning
    assert judge.with_structured_output(Grade, method=method).invoke(half).score in (5, 6)
    pair = SimJudge.pairwise_prompt(answer_with(1), answer_with(3), facts=FACTS)
    p = judge.with_structured_output(Preference, method=method).invoke(pair)
    assert p.winner == "second"
    pf = judge.with_structured_output(PassFail, method=method).invoke(full)
    assert pf == {"verdict": "pass", "passed": True}
    pf = judge.with_structured_output(PassFail, method=method).invoke(half)
    assert pf == {"verdict": "fail", "passed": False}


def test_plain_text_formats_and_prompt_styles():
    judge = SimJudge(agreement=1.0)
    system = SystemMessage(content="You are a strict grader. Output 'Rating: [[N]]'.")
    human = HumanMessage(
        content="## Reference\nRefund 45.90 on O10145.\n\n## Answer\nRefunded 45.90 on O10145."
    )
    assert judge.invoke([system, human]).content.startswith("Rating: [[5]]")
    xml = (
        "<facts>- O10145\n- 45.90</facts>\n<answer_a>No idea.</answer_a>\n"
        "<answer_b>O10145 refunded 45.90</answer_b>\nSay [[A]], [[B]] or [[C]] for a tie."
    )
    assert judge.invoke(xml).content.startswith("[[B]]")
    bold = "**Facts:** O10145\n**Response A:** O10145\n**Response B:** O10145 too"
    assert judge.invoke(bold).content.startswith("Winner: tie")


def test_other_prompts_are_answered_like_the_simulator():
    plain = "What is the capital of France?"
    assert SimJudge(seed=4).invoke(plain).content == SimChatModel(seed=4).invoke(plain).content
    assert SimJudge(script=["scripted"]).invoke(
        SimJudge.pointwise_prompt("x", facts=["y"])
    ).content == ("scripted")


def test_metadata_and_validation():
    reply = SimJudge(profile="sim-small").invoke(SimJudge.pointwise_prompt("x", facts=["x"]))
    assert reply.response_metadata["model_name"] == "sim-small@2026-11"
    assert reply.response_metadata["sim_source"] == "judge"
    assert reply.usage_metadata["output_tokens"] > 0
    for bad in ({"agreement": 1.2}, {"position_bias": -1.5}, {"leniency": 2}):
        with pytest.raises(ValidationError):
            SimJudge(**bad)


def _verdicts() -> list[str]:
    out = []
    for seed in range(3):
        judge = SimJudge(seed=seed, agreement=0.5)
        for i in range(20):
            out.append(
                judge.invoke(SimJudge.pointwise_prompt(answer_with(i % 5, i), facts=FACTS)).content
            )
            pair = SimJudge.pairwise_prompt(answer_with(i % 5, i), answer_with(2, i), facts=FACTS)
            out.append(judge.invoke(pair).content)
    return out


def test_deterministic_across_processes():
    code = (
        "import json, sys; sys.path.insert(0, 'tests'); import test_sim_judge as t; "
        "print(json.dumps(t._verdicts()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    here = _verdicts()
    assert json.loads(out.stdout) == here
    assert len(set(here)) > 5
