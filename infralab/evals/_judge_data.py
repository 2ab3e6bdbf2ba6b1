"""Answer pairs with a known better answer, for calibrating an LLM judge.

Each pair is built from a support-desk scenario (its message is the question, its
``answer_facts`` the facts a good answer states). Two answers are written from a few fixed
sentence templates; each mentions a chosen subset of the facts, and some are padded with
polite filler, so that length and quality vary independently (a judge with a verbosity bias
shows it). The label is what a careful human grader with the fact list decides: the answer
that states more of the facts is better, equal counts are a tie. It is computed from the
construction, not from any judge.

Everything is derived from blake2b hashes of the scenario id, so every process builds the
same pairs, and the split is the scenario's own (``train`` for the notebook, ``test`` for
hidden tests). Nothing is written to ``datasets/``: the pairs are a function of the scenarios.
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["judge_pairs"]

_OPENINGS = (
    "Thanks for reaching out.",
    "Hello, and sorry for the trouble.",
    "Hi, I checked your request.",
    "Good news, I have an update.",
)
_NO_FACT = (
    "We are looking into it and will get back to you soon.",
    "Our team has your request and will follow up.",
    "Please allow us a little more time to check this.",
)
_PADDING = (
    " We really value you as a customer and we always want every experience with our shop to "
    "be smooth, friendly and quick, so please do not hesitate to write to us again at any time "
    "if anything else comes up, day or night, about this or any other order."
)


def _draw(key: str, n: int) -> int:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n


def _answer(key: str, facts: list[str], padded: bool) -> str:
    text = _OPENINGS[_draw(key + ":open", len(_OPENINGS))]
    if facts:
        text += " " + " ".join(f"Please note: {f}." for f in facts)
    else:
        text += " " + _NO_FACT[_draw(key + ":none", len(_NO_FACT))]
    return text + (_PADDING if padded else "")


def judge_pairs(split: str = "train") -> list[dict[str, Any]]:
    """Labelled answer pairs for judge calibration, one per scenario with facts.

    Args:
        split: ``"train"`` or ``"test"`` (the scenarios' split).

    Returns:
        Dicts with ``id`` (``jp-<scenario id>``), ``question`` (the customer's message),
        ``facts`` (the scenario's ``answer_facts``), ``a`` and ``b`` (the two answers) and
        ``label`` (``"A"``, ``"B"`` or ``"tie"``: the answer that states more facts).
    """
    from infralab.datasets import load_scenarios

    pairs = []
    for sc in load_scenarios(split=split):
        facts = list(sc.answer_facts)
        if not facts:
            continue
        key = sc.id
        # How many facts each answer states: 0..len(facts), drawn per answer.
        counts = [_draw(f"{key}:{side}:count", len(facts) + 1) for side in "ab"]
        texts = []
        for side, count in zip("ab", counts, strict=True):
            padded = _draw(f"{key}:{side}:pad", 3) == 0
            texts.append(_answer(f"{key}:{side}", facts[:count], padded))
        label = "tie" if counts[0] == counts[1] else "A" if counts[0] > counts[1] else "B"
        pairs.append(
            {
                "id": f"jp-{sc.id}",
                "question": sc.message,
                "facts": facts,
                "a": texts[0],
                "b": texts[1],
                "label": label,
            }
        )
    return pairs
