"""Behaviour cards: which features of a request move which rate of a profile, and by how much.

A profile's rates (``ModelProfile``) are what the model does to a plain request. A card says how
the request's own features bend them: spotlighted untrusted content, a system prompt that says
instructions in data are not to be followed, the structured-output method and schema, route
descriptions and few-shot examples, how far the instructions sit from the end of a long context,
a request to ask clarifying questions, a word limit. Each effect names its source: a published
figure where one exists (``measured=True``), otherwise the direction a source reports with a
size we chose (``measured=False``), so a lab never presents a chosen number as a measured one.

With none of the features present every factor is 1, so a plain request behaves exactly as the
profile's rates say. The cards are written out, with the sources, in docs/behaviour-cards.md
(kept equal to this data by ``tests/test_behaviour_cards.py``).

Introduced for the labs of tracks B and C (``b3-safety``, ``c1-prompt-systems``,
``c2-interaction-design``).
"""

from __future__ import annotations

from dataclasses import dataclass

from infralab.llm._catalog import ModelProfile

__all__ = ["Effect", "BehaviourCard", "behaviour_card", "SOURCES"]

#: Short keys -> full citations, used by the effects below and printed in the docs.
SOURCES: dict[str, str] = {
    "hines2024": (
        "Hines, Lopez, Hall, Zarfati, Zunger, Kiciman. Defending Against Indirect Prompt "
        "Injection Attacks With Spotlighting. CAMLIS 2024, arXiv:2403.14720 (attack success "
        "from above 50% to below 2-3% with datamarking and encoding on GPT-family models; "
        "delimiting helps less)"
    ),
    "yi2023": (
        "Yi, Xie, Zhu, Kiciman, Sun, Xie, Wu. Benchmarking and Defending Against Indirect "
        "Prompt Injection Attacks on Large Language Models (BIPIA). arXiv:2312.14197 "
        "(border strings and in-context examples reduce but do not remove attack success)"
    ),
    "liu2024": (
        "Liu, Jia, Geng, Jia, Gong. Formalizing and Benchmarking Prompt Injection Attacks and "
        "Defenses. USENIX Security 2024 (prevention by instruction in the prompt is "
        "insufficient on its own)"
    ),
    "openai2024so": (
        "OpenAI. Introducing Structured Outputs in the API, 2024-08-06 (strict json_schema: "
        "100% schema adherence on OpenAI's complex-schema eval; gpt-4-0613 with prompting "
        "alone: below 40%; JSON mode guarantees JSON, not the schema)"
    ),
    "geng2025": (
        "Geng, Cooper, Moskal, et al. Generating Structured Outputs from Language Models: "
        "Benchmark and Studies (JSONSchemaBench). arXiv:2501.10868 (compliance falls as schemas "
        "grow in size, nesting and constraints)"
    ),
    "openai_jsonmode": (
        "OpenAI API docs, JSON mode: the model must be told to produce JSON in the messages; "
        "JSON mode does not ensure the output matches a schema"
    ),
    "liu2023": (
        "Liu, Lin, Hewitt, Paranjape, Bevilacqua, Petroni, Liang. Lost in the Middle: How "
        "Language Models Use Long Contexts. TACL 2024, arXiv:2307.03172 (multi-document QA: "
        "accuracy about 20 points lower when the needed information sits mid-context rather "
        "than at the end, i.e. about twice the error)"
    ),
    "levy2024": (
        "Levy, Jacoby, Goldberg. Same Task, More Tokens: the Impact of Input Length on the "
        "Reasoning Performance of Large Language Models. ACL 2024 (accuracy falls as padding "
        "grows to a few thousand tokens)"
    ),
    "brown2020": (
        "Brown et al. Language Models are Few-Shot Learners. NeurIPS 2020 (few-shot examples "
        "raise classification accuracy over zero-shot)"
    ),
    "vendor_routing": (
        "OpenAI function-calling guide and Anthropic's ticket-routing guide (describe each "
        "option clearly; add examples of each category)"
    ),
    "kuhn2022": (
        "Kuhn, Gal, Farquhar. CLAM: Selective Clarification for Ambiguous Questions with "
        "Generative Language Models. arXiv:2212.07769 (models rarely ask unless prompted to; "
        "prompting them to ask raises the rate)"
    ),
    "zhang2024clamber": (
        "Zhang et al. CLAMBER: A Benchmark of Identifying and Clarifying Ambiguous Information "
        "Needs in Large Language Models. ACL 2024 (gains from prompting are real but limited)"
    ),
    "yuan2024": (
        "Yuan, Kulikov, Yu, Cho, Sukhbaatar, Weston, Xu. Following Length Constraints in "
        "Instructions. arXiv:2406.17744 (GPT-4-class models exceed explicit word limits in a "
        "share of prompts)"
    ),
    "bfcl2024": (
        "Yan, Mao, Ji, Zhang, Patil, Stoica, Gonzalez. Berkeley Function Calling Leaderboard "
        "(BFCL v3/v4, 2024-2025; Patil et al., Gorilla, NeurIPS 2024): irrelevance detection "
        "and multi-turn missing parameters/functions are categories where strong models still "
        "call when they should abstain or ask"
    ),
    "debenedetti2024": (
        "Debenedetti, Zhang, Balunovic, Beurer-Kellner, Fischer, Tramer. AgentDojo: A Dynamic "
        "Environment to Evaluate Prompt Injection Attacks and Defenses for LLM Agents. "
        "NeurIPS 2024 Datasets and Benchmarks (injections that arrive in tool results)"
    ),
    "lifebench2025": (
        "Zhang et al. LIFEBench: Evaluating Length Instruction Following in Large Language "
        "Models. arXiv:2505.16234 (short limits are mostly followed, long ones much less)"
    ),
}


@dataclass(frozen=True)
class Effect:
    """One feature of a request and what it does to one rate.

    Attributes:
        feature: the request feature, e.g. ``"datamarked"`` (see docs/behaviour-cards.md).
        rate: the rate it moves, e.g. ``"follows_injection_rate"``.
        factor: what the feature multiplies. For an error-like rate (injection, misroute,
            invalid output) the rate itself; for a success-like rate (``asks_when_ambiguous``,
            ``length_compliance``) the share of misses ``1 - rate``.
        source: a key of :data:`SOURCES`.
        measured: True when ``factor`` is a published figure, False when the source gives the
            direction and we chose the size.
    """

    feature: str
    rate: str
    factor: float
    source: str
    measured: bool = False


@dataclass(frozen=True)
class BehaviourCard:
    """The prompt-sensitive behaviour of one model family.

    Attributes:
        family: the profile name it describes (``"sim-large"``).
        effects: the features and their factors.
        format_error_rate: chance of an invalid structured output per method, at reference
            schema complexity (10) and with the format not stated in the prompt; ``strict``
            methods are always valid.
        length_compliance: chance that a reply respects an explicit word limit.
        irrelevance_call_rate: chance of calling a function on a BFCL irrelevance case, where
            no call is correct.
        missing_call_rate: chance of calling anyway at a BFCL turn where a parameter or a
            function is missing (instead of asking or saying so).
    """

    family: str
    effects: tuple[Effect, ...]
    format_error_rate: dict[str, float]
    length_compliance: float
    irrelevance_call_rate: float = 0.0
    missing_call_rate: float = 0.0

    def factor(self, feature: str) -> float:
        """The factor of ``feature`` (1.0 when the card has no such effect)."""
        for effect in self.effects:
            if effect.feature == feature:
                return effect.factor
        return 1.0

    def effect(self, feature: str) -> Effect | None:
        """The :class:`Effect` of ``feature``, or None."""
        return next((e for e in self.effects if e.feature == feature), None)


#: Schema complexity at which ``format_error_rate`` applies as is (a flat 10-field object).
REFERENCE_COMPLEXITY = 10.0
#: The error rate scales with complexity up to this multiple of the reference rate.
MAX_COMPLEXITY_SCALE = 3.0
#: Tokens after the last system message from which routing starts to degrade, and over how
#: many more the error grows to its full factor (``instructions_far``).
FAR_FROM = 2_000
FAR_SPAN = 6_000


def _injection(
    delimited: float, datamarked: float, encoded: float, *, published: bool
) -> tuple[Effect, ...]:
    rate = "follows_injection_rate"
    return (
        Effect("delimited", rate, delimited, "hines2024"),
        Effect("datamarked", rate, datamarked, "hines2024", measured=published),
        Effect("encoded", rate, encoded, "hines2024", measured=published),
        Effect("data_instruction", rate, 0.6, "liu2024"),
    )


_LARGE = BehaviourCard(
    family="sim-large",
    effects=(
        *_injection(delimited=0.5, datamarked=0.05, encoded=0.03, published=True),
        Effect("format_stated", "format_error_rate", 0.5, "openai_jsonmode"),
        Effect("route_descriptions", "routing_error", 0.5, "vendor_routing"),
        Effect("few_shot", "routing_error", 0.6, "brown2020"),
        Effect("instructions_far", "routing_error", 2.0, "liu2023"),
        Effect("clarify_instruction", "asks_when_ambiguous", 0.3, "kuhn2022"),
    ),
    format_error_rate={
        "strict": 0.0,
        "function_calling": 0.03,
        "json_schema": 0.03,
        "json_mode": 0.12,
        "prompt_only": 0.25,
    },
    length_compliance=0.9,
    irrelevance_call_rate=0.15,
    missing_call_rate=0.25,
)

_SMALL = BehaviourCard(
    family="sim-small",
    effects=(
        # A small model reads markers less reliably: a weaker effect, our choice.
        *_injection(delimited=0.6, datamarked=0.10, encoded=0.10, published=False),
        Effect("format_stated", "format_error_rate", 0.5, "openai_jsonmode"),
        Effect("route_descriptions", "routing_error", 0.6, "vendor_routing"),
        Effect("few_shot", "routing_error", 0.6, "brown2020"),
        Effect("instructions_far", "routing_error", 2.0, "liu2023"),
        Effect("clarify_instruction", "asks_when_ambiguous", 0.6, "zhang2024clamber"),
    ),
    format_error_rate={
        "strict": 0.0,
        "function_calling": 0.08,
        "json_schema": 0.08,
        "json_mode": 0.25,
        "prompt_only": 0.45,
    },
    length_compliance=0.7,
    irrelevance_call_rate=0.35,
    missing_call_rate=0.5,
)

_CARDS = {"sim-large": _LARGE, "sim-large-long": _LARGE, "sim-small": _SMALL}


def behaviour_card(profile: ModelProfile | str) -> BehaviourCard:
    """The behaviour card of a profile's family (``sim-large`` for a family it does not know,
    e.g. a custom profile built with ``dataclasses.replace``).

    Example:
        >>> behaviour_card("sim-large@2026-11").factor("datamarked")
        0.05
    """
    name = profile.name if isinstance(profile, ModelProfile) else str(profile).split("@")[0]
    return _CARDS.get(name.strip(), _LARGE)
