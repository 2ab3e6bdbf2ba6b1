"""``SimJudge``: a simulated LLM-as-judge with known agreement and documented, tunable biases.

A lab that teaches judge calibration needs a judge whose errors are known: how often it agrees
with ground-truth labels, and which way it leans when it does not. ``SimJudge`` is a
:class:`~infralab.llm.SimChatModel` that recognises a judging prompt, computes the *true*
label from the facts the answer mentions, and returns it with probability ``agreement``;
otherwise it makes an error whose direction the biases decide.

Prompt format (free text; :meth:`SimJudge.pointwise_prompt` and
:meth:`SimJudge.pairwise_prompt` write it). Sections start with a header line
``Question:``, ``Reference:`` (or ``Reference answer:``), ``Facts:`` (one per ``-`` line),
``Answer:`` (or ``Response:``) for pointwise grading, ``Answer A:`` / ``Answer B:`` (or
``Response A/B``, ``Assistant A/B``) for pairwise comparison; Markdown (``## Answer A``,
``**Answer A:**``, ``[Answer A]``) and XML tags (``<answer_a>...</answer_a>``) work too. A
header may name the answer's model: ``Answer A (model: sim-large@2026-11):``.

Ground truth:

- *coverage* of an answer = the share of facts it mentions (case and whitespace folded). The
  facts are the ``Facts:`` list, else the reference's key terms (numbers, ids, e-mails and
  words of 5+ letters that are not stop words), else, when the ``Question:`` is a dataset
  scenario's message, that scenario's ``answer_facts``; with none of these, coverage is 0.5;
- true pointwise score = ``1 + round(4 * coverage)`` (1..5);
- true pairwise label = the answer with the higher coverage, ``"tie"`` when equal.

Verdicts. With probability ``agreement`` the verdict is the true label. Otherwise it is a
*biased error*, never equal to the true label:

=================  ========  ===============================================================
bias               default   effect on an error (``s`` below adds them up)
=================  ========  ===============================================================
``agreement``      0.80      share of verdicts equal to the true label, exactly (MT-Bench:
                             GPT-4 agrees with humans 66% with ties, 85% without; humans
                             with each other 63% / 81%; Zheng et al. 2023)
``position_bias``  +0.30     pairwise: > 0 leans to the first answer (A), < 0 to the second;
                             GPT-4 kept its verdict on swapped order in 65% of cases and
                             favoured the first position (Zheng et al. 2023; Wang et al. 2023)
``leniency``       +0.20     pointwise: > 0 errs upwards (scores too high), < 0 downwards
                             (a chosen default; no single published figure)
``verbosity_bias`` +0.30     the longer answer is favoured: pointwise, an answer over 1.5x the
                             reference's length (or of ``12 + 4 * facts`` words without one)
                             errs upwards, one under half of it downwards; pairwise, the one
                             over 1.25x the other's length is favoured ("verbosity attack",
                             Zheng et al. 2023; Saito et al. 2023)
``self_preference`` +0.20    answers in the judge's own style (the simulator's openings and
                             closing sentences) or whose header names a model of the judge's
                             family are favoured (Panickssery et al. 2024)
=================  ========  ===============================================================

Direction of an error: ``s = leniency + verbosity_bias * v + self_preference * m`` for a
score (``v`` in {-1, 0, 1}: short, normal, long; ``m`` 1 for a self-styled answer), and
``s = position_bias + verbosity_bias * v + self_preference * (m_A - m_B)`` for a comparison
(``v`` = 1 when A is the longer, -1 when B is). The error leans to "up"/"A" with probability
``p = clamp(0.5 + s / 2, 0, 1)``:

- pointwise: the true score plus one with probability ``p``, else minus one (at the ends of
  the scale, the only neighbour);
- pairwise: a true tie becomes A with probability ``p``, else B; a true A becomes a tie with
  probability ``p``, else B; a true B becomes A with probability ``p``, else a tie.

Every draw is a blake2b hash of (profile, seed, mode, answers, facts), so the same judge
gives the same verdict in any process; a swapped pair is a different item with its own draw.

Output: plain text ``Score: N`` (pointwise) or ``Winner: A|B|tie`` (pairwise), each followed
by ``Reasoning: ...``; ``Rating: [[N]]`` / ``[[A]]``, ``[[B]]``, ``[[C]]`` (tie) when the
prompt uses MT-Bench's double brackets. With ``with_structured_output`` (any method) it fills
the schema: number fields named like a score (``score``, ``rating``, ``grade``...) get the
score, rescaled to the field's ``minimum``..``maximum`` when they are not 1..5; verdict
fields (``winner``, ``verdict``, ``preference``, ``better``, ``choice``...) get the label,
mapped onto their enum (``A``/``B``/``tie``, ``first``/``second``, ``answer_a``...);
pass/fail enums and booleans (``passed``, ``correct``...) say pass for a score of 4 or 5;
``reasoning``/``explanation``... get a sentence. A prompt that is not a judging prompt is
answered as :class:`SimChatModel` would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import Field

from infralab.datasets._schema import fold
from infralab.llm._draw import Draws, Reply, canonical
from infralab.llm._request import Request, text_of
from infralab.llm._rules import FILLER, GENERIC_FILLER
from infralab.llm._schema import NO_HINT, fill
from infralab.llm._sim import SimChatModel

__all__ = ["SimJudge", "JudgeItem", "parse_judge_prompt"]

# --------------------------------------------------------------------------- parsing

_LABELS = {
    "question": "question",
    "prompt": "question",
    "reference": "reference",
    "reference answer": "reference",
    "reference_answer": "reference",
    "gold answer": "reference",
    "facts": "facts",
    "key facts": "facts",
    "expected facts": "facts",
    "answer": "answer",
    "response": "answer",
    "candidate answer": "answer",
    "candidate": "answer",
    "answer a": "a",
    "answer_a": "a",
    "response a": "a",
    "response_a": "a",
    "assistant a": "a",
    "answer b": "b",
    "answer_b": "b",
    "response b": "b",
    "response_b": "b",
    "assistant b": "b",
}
_LABEL_ALT = "|".join(sorted((re.escape(k) for k in _LABELS), key=len, reverse=True))
_HEADER = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?\[?(?P<label>" + _LABEL_ALT + r")\]?"
    r"(?:[ \t]*\((?P<meta>[^)\n]*)\))?(?:\*\*|__)?[ \t]*(?::|(?=\n)|$)(?:\*\*|__)?[ \t]*"
    r"(?P<rest>[^\n]*)$",
    re.I | re.M,
)
_XML = re.compile(
    r"<(?P<tag>" + "|".join(k.replace(" ", "_") for k in _LABELS if " " not in k) + r")"
    r"(?:\s+model=\"(?P<meta>[^\"]*)\")?\s*>(?P<body>.*?)</(?P=tag)>",
    re.I | re.S,
)
_MODEL_META = re.compile(r"(?:model|from|by)\s*[:=]?\s*([\w.@/-]+)", re.I)


@dataclass(frozen=True)
class JudgeItem:
    """A parsed judging request.

    Attributes:
        mode: ``"pointwise"`` or ``"pairwise"``.
        answers: the answer (pointwise) or answers A and B (pairwise).
        models: the model named in each answer's header, or None.
        facts: what the true label is computed from (possibly empty).
        reference: the reference answer, or None.
        question: the question, or None.
        brackets: the prompt uses MT-Bench's ``[[...]]`` output format.
    """

    mode: str
    answers: tuple[str, ...]
    models: tuple[str | None, ...]
    facts: tuple[str, ...]
    reference: str | None
    question: str | None
    brackets: bool = False


def _facts_list(text: str) -> list[str]:
    items: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s*", "", line).strip()
        if line:
            items.extend(p.strip() for p in line.split(";") if p.strip())
    return items


_STOP = frozenset(
    "about above after again against their there these those which while would could should "
    "where because before being below between other every under until yours your from with "
    "this that have will what when into than then them they were been also only just very "
    "some such more most over same here does doing".split()
)
_TERM = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b\w*\d[\w./:-]*\w|\b[^\W\d_]{5,}\b")


def reference_facts(reference: str, limit: int = 12) -> list[str]:
    """Key terms of a reference answer: numbers, ids, e-mails, words of 5+ letters."""
    out: list[str] = []
    for m in _TERM.finditer(reference):
        term = m.group(0).strip(".")
        key = term.casefold()
        if key in _STOP or key in (t.casefold() for t in out):
            continue
        out.append(term)
        if len(out) >= limit:
            break
    return out


def _model_of(meta: str | None) -> str | None:
    if not meta:
        return None
    m = _MODEL_META.search(meta)
    return m.group(1) if m else meta.strip() or None


def parse_judge_prompt(messages: Sequence[BaseMessage]) -> JudgeItem | None:
    """The judging request in ``messages`` (human and system text), or None if there is none."""
    texts = [text_of(m.content) for m in messages if isinstance(m, HumanMessage | SystemMessage)]
    if not texts:
        return None
    # The last human message usually holds the item; the system prompt, the instructions.
    for text in (texts[-1], "\n".join(texts)):
        sections: dict[str, str] = {}
        meta: dict[str, str | None] = {}
        for m in _XML.finditer(text):
            label = _LABELS.get(m.group("tag").lower().replace("_", " "), None) or _LABELS.get(
                m.group("tag").lower()
            )
            if label and label not in sections:
                sections[label] = m.group("body").strip()
                meta[label] = _model_of(m.group("meta"))
        if not sections:
            heads = list(_HEADER.finditer(text))
            for i, h in enumerate(heads):
                label = _LABELS[re.sub(r"\s+", " ", h.group("label").lower())]
                end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
                body = (h.group("rest") + text[h.end() : end]).strip()
                if label not in sections:
                    sections[label] = body
                    meta[label] = _model_of(h.group("meta"))
        item = _item(sections, meta, "[[" in "\n".join(texts))
        if item is not None:
            return item
    return None


def _item(
    sections: dict[str, str], meta: dict[str, str | None], brackets: bool
) -> JudgeItem | None:
    reference = sections.get("reference") or None
    question = sections.get("question") or None
    if "facts" in sections:
        facts = _facts_list(sections["facts"])
    elif reference:
        facts = reference_facts(reference)
    else:
        facts = _scenario_facts(question)
    if "a" in sections and "b" in sections:
        return JudgeItem(
            "pairwise",
            (sections["a"], sections["b"]),
            (meta.get("a"), meta.get("b")),
            tuple(facts),
            reference,
            question,
            brackets,
        )
    if "answer" in sections and (reference or "facts" in sections or question):
        return JudgeItem(
            "pointwise",
            (sections["answer"],),
            (meta.get("answer"),),
            tuple(facts),
            reference,
            question,
            brackets,
        )
    return None


def _scenario_facts(question: str | None) -> list[str]:
    if not question:
        return []
    try:
        from infralab.datasets import find_scenario
    except ModuleNotFoundError:  # pragma: no cover
        return []
    scenario = find_scenario(question)
    return list(scenario.answer_facts) if scenario is not None else []


# --------------------------------------------------------------------------- ground truth


def coverage(answer: str, facts: Sequence[str]) -> float:
    """Share of ``facts`` that ``answer`` mentions (folded substring match); 0.5 without facts."""
    facts = [f for f in facts if f.strip()]
    if not facts:
        return 0.5
    folded = fold(answer)
    return sum(fold(f) in folded for f in facts) / len(facts)


def true_score(answer: str, facts: Sequence[str]) -> int:
    """The true 1..5 score: ``1 + round(4 * coverage)``, halves rounded up."""
    return 1 + int(4 * coverage(answer, facts) + 0.5)


def true_winner(a: str, b: str, facts: Sequence[str]) -> str:
    """``"A"``, ``"B"`` or ``"tie"``: the answer that mentions more of the facts."""
    ca, cb = coverage(a, facts), coverage(b, facts)
    if abs(ca - cb) < 1e-9:
        return "tie"
    return "A" if ca > cb else "B"


_OWN_STYLE = tuple(
    fold(s)
    for s in (
        "I looked into this for you.",
        "Here is what I found.",
        "Thanks for waiting.",
        "The key detail",
        *FILLER,
        *GENERIC_FILLER,
    )
)


def _words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------- the model


def _clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


_SCORE_NAMES = frozenset(
    "score rating grade points overall overall_score final_score value mark quality".split()
)
_VERDICT_NAMES = frozenset(
    "winner verdict preference preferred better choice label result decision "
    "better_answer best winner_label outcome".split()
)
_PASS_NAMES = frozenset(
    "pass passed passes correct is_correct acceptable is_acceptable ok approved".split()
)
_REASON_NAMES = frozenset(
    "reasoning reason explanation rationale justification feedback critique comment "
    "comments analysis".split()
)
_A_WORDS = ("a", "answer_a", "answer a", "response_a", "response a", "first", "1", "assistant_a")
_B_WORDS = ("b", "answer_b", "answer b", "response_b", "response b", "second", "2", "assistant_b")
_TIE_WORDS = ("tie", "equal", "draw", "both", "c", "neither", "same")
_POSITIVE = ("pass", "passed", "correct", "yes", "good", "acceptable", "true", "approved")
_NEGATIVE = ("fail", "failed", "incorrect", "no", "bad", "unacceptable", "false", "rejected")


def _enum_value(enum: list[Any], words: Sequence[str]) -> Any:
    for v in enum:
        if isinstance(v, str) and v.strip().lower() in words:
            return v
    return NO_HINT


_REASONS_SCORE = {
    1: "The answer misses the key facts of the reference.",
    2: "The answer gets a little right but misses most key facts.",
    3: "The answer covers about half of the key facts.",
    4: "The answer covers most of the key facts.",
    5: "The answer covers all the key facts.",
}
_REASONS_PAIR = {
    "A": "Answer A covers the key facts better than answer B.",
    "B": "Answer B covers the key facts better than answer A.",
    "tie": "Both answers cover the key facts equally well.",
}


class SimJudge(SimChatModel):
    """A simulated LLM judge: pointwise 1-5 scores and pairwise verdicts with known biases.

    The table of biases, the ground truth and the prompt and output formats are in the
    module docstring (:mod:`infralab.llm._judge`) and docs/architecture.md. In short: the
    verdict is the true label (from the facts the answer mentions) with probability
    ``agreement``, else an error that leans by ``position_bias`` (pairwise; > 0 favours A),
    ``leniency`` (pointwise; > 0 scores up), ``verbosity_bias`` (> 0 favours the longer
    answer) and ``self_preference`` (> 0 favours answers in the judge's own style or from its
    model family). Every draw hashes (profile, seed, mode, answers, facts).

    Args:
        agreement: probability in [0, 1] that a verdict equals the true label.
        position_bias, leniency, verbosity_bias, self_preference: in [-1, 1].
        Every :class:`SimChatModel` argument (``profile``, ``seed``, ``fault_plan``...).

    Meant for the LLM-as-judge labs of track B (``b1-behaviour-evals``).

    Example:
        >>> judge = SimJudge(seed=1, agreement=1.0)
        >>> prompt = SimJudge.pointwise_prompt("Refund 45.90 on O10145.", facts=["O10145", "45.90"])
        >>> judge.invoke(prompt).content.splitlines()[0]
        'Score: 5'
    """

    agreement: float = Field(default=0.8, ge=0.0, le=1.0)
    position_bias: float = Field(default=0.3, ge=-1.0, le=1.0)
    leniency: float = Field(default=0.2, ge=-1.0, le=1.0)
    verbosity_bias: float = Field(default=0.3, ge=-1.0, le=1.0)
    self_preference: float = Field(default=0.2, ge=-1.0, le=1.0)

    # -- prompts -------------------------------------------------------------------------

    @staticmethod
    def _header(label: str, answer: Any) -> tuple[str, str]:
        if isinstance(answer, BaseMessage):
            model = (answer.response_metadata or {}).get("model_name")
            text = text_of(answer.content)
            return (f"{label} (model: {model}):" if model else f"{label}:"), text
        return f"{label}:", str(answer)

    @staticmethod
    def pointwise_prompt(
        answer: Any,
        *,
        reference: str | None = None,
        facts: Sequence[str] | None = None,
        question: str | None = None,
    ) -> str:
        """A grading prompt in the format the judge reads (an ``AIMessage`` answer names its
        model in the header, which is what ``self_preference`` can react to)."""
        parts = ["Score the answer from 1 (useless) to 5 (complete and correct).", ""]
        if question:
            parts += [f"Question: {question}", ""]
        if reference:
            parts += [f"Reference: {reference}", ""]
        if facts:
            parts += ["Facts:", *[f"- {f}" for f in facts], ""]
        header, text = SimJudge._header("Answer", answer)
        parts += [header, text, "", "Reply with 'Score: N' and a short reasoning."]
        return "\n".join(parts)

    @staticmethod
    def pairwise_prompt(
        a: Any,
        b: Any,
        *,
        reference: str | None = None,
        facts: Sequence[str] | None = None,
        question: str | None = None,
    ) -> str:
        """A comparison prompt in the format the judge reads (A is shown first)."""
        parts = ["Which answer is better? Reply 'Winner: A', 'Winner: B' or 'Winner: tie'.", ""]
        if question:
            parts += [f"Question: {question}", ""]
        if reference:
            parts += [f"Reference: {reference}", ""]
        if facts:
            parts += ["Facts:", *[f"- {f}" for f in facts], ""]
        for label, answer in (("Answer A", a), ("Answer B", b)):
            header, text = SimJudge._header(label, answer)
            parts += [header, text, ""]
        return "\n".join(parts).rstrip() + "\n"

    # -- verdicts ----------------------------------------------------------------------

    def _is_self(self, text: str, model: str | None) -> int:
        family = self.sim_profile.name
        if model and model.split("@", 1)[0] == family:
            return 1
        folded = fold(text)
        return int(any(marker in folded for marker in _OWN_STYLE))

    def _draws(self, item: JudgeItem) -> Draws:
        key = canonical([item.mode, list(item.answers), list(item.facts)])
        return Draws(self.sim_profile.id, str(self.seed), "judge", key)

    def verdict(self, item: JudgeItem) -> dict[str, Any]:
        """The judge's decision on a parsed item: ``{"mode", "score" | "winner", "agreed"}``.

        ``agreed`` says whether the verdict is the true label (for tests and widgets; the
        chat reply never says it).
        """
        d = self._draws(item)
        agree = d.chance("agree", self.agreement)
        if item.mode == "pointwise":
            answer = item.answers[0]
            truth = true_score(answer, item.facts)
            if agree:
                return {"mode": "pointwise", "score": truth, "true": truth, "agreed": True}
            base = _words(item.reference) if item.reference else 12 + 4 * len(item.facts)
            n = _words(answer)
            v = 1 if n > 1.5 * base else -1 if n < 0.5 * base else 0
            m = self._is_self(answer, item.models[0])
            s = self.leniency + self.verbosity_bias * v + self.self_preference * m
            up = d.chance("direction", _clamp(0.5 + s / 2))
            score = truth + 1 if up else truth - 1
            if score > 5 or score < 1:
                score = truth - 1 if score > 5 else truth + 1
            return {"mode": "pointwise", "score": score, "true": truth, "agreed": False}
        a, b = item.answers
        truth_label = true_winner(a, b, item.facts)
        if agree:
            return {"mode": "pairwise", "winner": truth_label, "true": truth_label, "agreed": True}
        na, nb = _words(a), _words(b)
        v = 1 if na > 1.25 * nb else -1 if nb > 1.25 * na else 0
        ma, mb = self._is_self(a, item.models[0]), self._is_self(b, item.models[1])
        s = self.position_bias + self.verbosity_bias * v + self.self_preference * (ma - mb)
        lean_a = d.chance("direction", _clamp(0.5 + s / 2))
        winner = {
            "tie": "A" if lean_a else "B",
            "A": "tie" if lean_a else "B",
            "B": "A" if lean_a else "tie",
        }[truth_label]
        return {"mode": "pairwise", "winner": winner, "true": truth_label, "agreed": False}

    # -- the reply ---------------------------------------------------------------------

    def _produce(self, call: Any) -> Reply:
        if self.script is not None:
            return super()._produce(call)
        req: Request = call.req
        item = parse_judge_prompt(req.messages)
        if item is None:
            return super()._produce(call)
        decided = self.verdict(item)
        extra = {"judge_mode": item.mode}
        if req.forced is not None and req.forced in req.params:
            args = fill(req.params[req.forced], self._hint(decided))
            return Reply(
                tool_calls=[{"name": req.forced, "args": args if isinstance(args, dict) else {}}],
                source="judge",
                extra=extra,
            )
        if req.response_schema is not None:
            import json

            value = (
                fill(req.response_schema, self._hint(decided))
                if req.response_schema
                else {k: v for k, v in decided.items() if k in ("score", "winner")}
            )
            return Reply(content=json.dumps(value), source="judge", extra=extra)
        return Reply(content=self._text(decided, item.brackets), source="judge", extra=extra)

    @staticmethod
    def _reason(decided: Mapping[str, Any]) -> str:
        if decided["mode"] == "pointwise":
            return _REASONS_SCORE[decided["score"]]
        return _REASONS_PAIR[decided["winner"]]

    def _text(self, decided: Mapping[str, Any], brackets: bool) -> str:
        reason = self._reason(decided)
        if decided["mode"] == "pointwise":
            head = f"Rating: [[{decided['score']}]]" if brackets else f"Score: {decided['score']}"
        else:
            w = decided["winner"]
            head = f"[[{'C' if w == 'tie' else w}]]" if brackets else f"Winner: {w}"
        return f"{head}\nReasoning: {reason}"

    def _hint(self, decided: Mapping[str, Any]) -> Any:
        pointwise = decided["mode"] == "pointwise"
        score = int(decided.get("score") or 3)
        winner = str(decided.get("winner") or "tie")
        passed = pointwise and score >= 4

        def hint(name: str, schema: Mapping[str, Any]) -> Any:
            lname = name.lower()
            kind = schema.get("type")
            enum = schema.get("enum")
            if isinstance(enum, list) and enum:
                if not pointwise:
                    words = {"A": _A_WORDS, "B": _B_WORDS, "tie": _TIE_WORDS}[winner]
                    return _enum_value(enum, words)
                if all(isinstance(v, int | float) for v in enum):
                    return min(enum, key=lambda v: abs(v - score))
                return _enum_value(enum, _POSITIVE if passed else _NEGATIVE)
            if (
                kind in ("integer", "number")
                and pointwise
                and (lname in _SCORE_NAMES or lname.endswith("_score"))
            ):
                lo = schema.get("minimum", 1)
                hi = schema.get("maximum", 5)
                if (lo, hi) == (1, 5):
                    return score
                value = lo + (score - 1) * (hi - lo) / 4
                return round(value) if kind == "integer" else value
            if kind == "boolean":
                if pointwise and lname in _PASS_NAMES:
                    return passed
                if not pointwise and lname in ("a_is_better", "first_is_better", "prefer_a"):
                    return winner == "A"
                if not pointwise and lname in ("b_is_better", "second_is_better", "prefer_b"):
                    return winner == "B"
                if not pointwise and lname in ("tie", "is_tie"):
                    return winner == "tie"
                return NO_HINT
            if kind == "string" or (isinstance(kind, list) and "string" in kind):
                if lname in _REASON_NAMES:
                    return self._reason(decided)
                if not pointwise and lname in _VERDICT_NAMES:
                    return winner
                if pointwise and lname in _VERDICT_NAMES:
                    return "pass" if passed else "fail"
                if pointwise and lname in _SCORE_NAMES:
                    return str(score)
            return NO_HINT

        return hint
