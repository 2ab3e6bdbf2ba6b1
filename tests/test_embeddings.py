"""SimEmbeddings: deterministic lexical embeddings behind LangChain's Embeddings interface."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

import infralab.llm
from infralab.llm import SimEmbeddings

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "I want a refund for order O10023, it arrived broken.",
    "Where is my package? The tracking number says delivered.",
    "",
    "Ünïcode ＦＵＬＬＷＩＤＴＨ text, émojis 🙂 and numbers 42",
]


def _cos(a, b) -> float:
    return float(np.dot(a, b))


def test_is_a_langchain_embeddings_exported_lazily():
    assert "SimEmbeddings" in infralab.llm.__all__
    assert "SimEmbeddings" in dir(infralab.llm)
    emb = SimEmbeddings()
    assert isinstance(emb, Embeddings)
    assert repr(emb) == "SimEmbeddings(dim=256, seed=0)"


def test_shape_type_and_unit_norm():
    emb = SimEmbeddings()
    vectors = emb.embed_documents(TEXTS)
    assert isinstance(vectors, list) and len(vectors) == len(TEXTS)
    for v in vectors:
        assert isinstance(v, list) and len(v) == 256
        assert all(isinstance(x, float) for x in v)
        assert abs(np.linalg.norm(v) - 1.0) < 1e-9
    assert emb.embed_documents([]) == []
    assert len(SimEmbeddings(dim=64).embed_query("hello world")) == 64
    assert emb.embed_array(TEXTS).shape == (len(TEXTS), 256)


def test_query_equals_document_and_async_equals_sync():
    emb = SimEmbeddings()
    docs = emb.embed_documents(TEXTS)
    assert [emb.embed_query(t) for t in TEXTS] == docs
    assert asyncio.run(emb.aembed_documents(TEXTS)) == docs
    assert asyncio.run(emb.aembed_query(TEXTS[0])) == docs[0]


def test_bad_arguments():
    for dim in (0, 4, 1.5, True, "256"):
        with pytest.raises(ValueError, match="dim"):
            SimEmbeddings(dim=dim)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        SimEmbeddings(seed=-1)
    with pytest.raises(TypeError, match="strings"):
        SimEmbeddings().embed_documents([None])  # type: ignore[list-item]


def test_deterministic_across_processes_and_hash_seeds():
    here = SimEmbeddings(dim=128, seed=3).embed_documents(TEXTS)
    code = (
        "import json, sys\n"
        "from infralab.llm import SimEmbeddings\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps(SimEmbeddings(dim=128, seed=3).embed_documents(texts)))\n"
    )
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(TEXTS),
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            check=True,
            timeout=120,
        )
        assert json.loads(out.stdout) == here


def test_seed_gives_another_model_and_empty_text_a_fixed_vector():
    a, b = SimEmbeddings(seed=0), SimEmbeddings(seed=1)
    assert a.embed_query(TEXTS[0]) != b.embed_query(TEXTS[0])
    assert abs(_cos(a.embed_query(TEXTS[0]), b.embed_query(TEXTS[0]))) < 0.3
    assert a.embed_query("") == a.embed_query("   ") == a.embed_query("?!")
    assert abs(np.linalg.norm(a.embed_query("")) - 1.0) < 1e-9


def test_case_and_width_are_folded():
    emb = SimEmbeddings()
    assert emb.embed_query("Refund My ORDER") == emb.embed_query("refund my order")
    assert emb.embed_query("ＲＥＦＵＮＤ") == emb.embed_query("refund")


_STEMS = (
    "refund order package invoice password account shipment charge delivery address "
    "plan webhook token router cluster battery garden recipe violin planet harbor "
    "lantern meadow glacier orchard canyon falcon quartz saddle tunnel whistle"
).split()


def _sentence(rng: random.Random, words: list[str], n: int) -> list[str]:
    return [rng.choice(words) for _ in range(n)]


def test_similar_beats_unrelated_over_many_generated_pairs():
    """Texts sharing most words are closer than texts sharing none, pair after pair."""
    emb = SimEmbeddings()
    rng = random.Random(20261206)
    fillers = ["the", "my", "is", "and", "please", "for"]
    sims, unrelated = [], []
    for _ in range(300):
        stems = rng.sample(_STEMS, len(_STEMS))  # disjoint stems: unrelated shares no word
        left = [w + suffix for w in stems[:15] for suffix in ("", "s")]
        right = [w + suffix for w in stems[15:] for suffix in ("", "s")]
        base = _sentence(rng, left, 8)
        similar = list(base)
        for i in rng.sample(range(8), 2):  # change two words, reorder, add function words
            similar[i] = rng.choice(left)
        rng.shuffle(similar)
        similar += rng.sample(fillers, 2)
        other = _sentence(rng, right, 8) + rng.sample(fillers, 2)
        a, b, c = emb.embed_documents([" ".join(base), " ".join(similar), " ".join(other)])
        s, u = _cos(a, b), _cos(a, c)
        assert s > u
        sims.append(s)
        unrelated.append(u)
    assert np.mean(sims) > 0.5
    assert abs(np.mean(unrelated)) < 0.05 and np.mean(np.abs(unrelated)) < 0.15


def test_paraphrases_are_somewhat_close():
    emb = SimEmbeddings()
    pairs = [
        ("I need a refund for my broken order", "Please refund the order, it arrived broken"),
        ("How do I reset my password?", "I forgot my password and need to reset it"),
        ("Where is my package?", "My package has not arrived, where is it?"),
    ]
    unrelated = "What is the weather in Paris tomorrow?"
    for a, b in pairs:
        va, vb, vu = emb.embed_documents([a, b, unrelated])
        assert _cos(va, vb) > 0.3 > abs(_cos(va, vu))
    # Morphology helps through character n-grams; synonyms do not (documented limit).
    stem = _cos(emb.embed_query("refunds"), emb.embed_query("refunded"))
    synonym = _cos(emb.embed_query("purchase"), emb.embed_query("order"))
    assert stem > 0.2 > abs(synonym)


def test_in_memory_vector_store_retrieves_by_overlap():
    vectorstores = pytest.importorskip("langchain_core.vectorstores")
    from langchain_core.documents import Document

    from infralab.datasets import load_world

    kb = load_world()["kb"]
    store = vectorstores.InMemoryVectorStore(embedding=SimEmbeddings())
    store.add_documents(
        [Document(page_content=f"{a['title']}\n{a['body']}", metadata={"id": a["id"]}) for a in kb]
    )
    for article in kb:
        hits = store.similarity_search(article["title"], k=3)
        assert article["id"] in [h.metadata["id"] for h in hits], article["title"]
    hits = asyncio.run(store.asimilarity_search(kb[0]["title"], k=1))
    assert hits[0].metadata["id"] == kb[0]["id"]


def test_fast_enough_for_a_lab():
    import time

    emb = SimEmbeddings()
    texts = [
        f"customer {i} asks about order O{10000 + i} and a refund of {i}.50" for i in range(2000)
    ]
    start = time.perf_counter()
    emb.embed_documents(texts)
    assert time.perf_counter() - start < 5.0  # about 0.2 s on the course machine
