"""Deterministic, offline text embeddings: lexical feature hashing (see :class:`SimEmbeddings`)."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = ["SimEmbeddings"]

_WORD = re.compile(r"\w+", re.UNICODE)
# Function words carry little about what a text is about; they get a small weight so that two
# unrelated sentences do not look alike because both say "the" and "my".
_STOPWORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from into about as is are was
    were be been being am do does did have has had i me my mine we us our you your yours he him
    his she her it its they them their this that these those there here what which who whom
    when where why how not no nor can could will would shall should may might must just very
    please hi hello thanks thank""".split()
)


@lru_cache(maxsize=1 << 16)
def _slot(feature: str, seed: int, dim: int) -> tuple[int, float]:
    """The coordinate and sign a feature adds to: one blake2b digest, never ``hash()``."""
    digest = hashlib.blake2b(
        feature.encode("utf-8"), digest_size=8, salt=seed.to_bytes(8, "little", signed=False)
    ).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


class SimEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` that needs no model, no download and no network.

    What it is: *lexical feature hashing*. A text is lower-cased and NFKC-normalised, split into
    words, and turned into weighted features: content words (weight ``1 + log(count)``),
    function words such as "the" or "my" (x0.1), pairs of neighbouring content words (x0.5) and
    the character 3- and 4-grams of each content word, with boundary marks (x0.25 each, so
    "refund" and "refunds" share most of their features). Each feature is hashed with blake2b
    (salted by ``seed``) to one of ``dim`` coordinates with a sign, the counts are summed and the
    vector is L2-normalised. The same text gives the same vector in every process, on every
    platform and in any call order; ``seed`` gives an independent "model" (for example an
    embedding-model upgrade in a drift lab: vectors of different seeds are not comparable).

    What follows: the cosine similarity of two texts grows with the words (and word stems)
    they share. Texts that share most words are close (above 0.5 typically); paraphrases that
    share a few content words or stems are somewhat close; unrelated texts are near 0 (hash
    collisions give them a small, random, signed similarity of order ``1/sqrt(dim)``). A text
    with no word gets one fixed unit vector.

    What it is not: there are no semantics beyond lexical overlap. Synonyms with no common
    stem ("purchase" / "order"), negation ("refund" / "no refund"), word order beyond neighbour
    pairs and other languages' meaning are invisible to it; it will rank a text that repeats
    the query's words above a true answer phrased differently. Retrieval and drift measured
    with it show the mechanics of vector search, not the quality of a neural embedding model.

    Args:
        dim: the vector size (default 256).
        seed: salts every hash (default 0).

    Example:
        >>> emb = SimEmbeddings()
        >>> a, b, c = emb.embed_documents(["refund my order", "refund for my orders", "reset 2FA"])
        >>> sum(x * y for x, y in zip(a, b)) > 0.5 > abs(sum(x * y for x, y in zip(a, c)))
        True
    """

    def __init__(self, dim: int = 256, *, seed: int = 0) -> None:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 8:
            raise ValueError(f"dim must be an integer >= 8, got {dim!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**64:
            raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
        self.dim = dim
        self.seed = seed

    def __repr__(self) -> str:
        return f"SimEmbeddings(dim={self.dim}, seed={self.seed})"

    # ------------------------------------------------------------------ features

    @staticmethod
    def features(text: str) -> dict[str, float]:
        """The weighted features of ``text`` (what the vector is made of), for inspection."""
        words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
        feats: defaultdict[str, float] = defaultdict(float)
        content = [w for w in words if w not in _STOPWORDS]
        for word, count in Counter(words).items():
            weight = 1.0 + math.log(count)
            feats["w:" + word] += weight * (0.1 if word in _STOPWORDS else 1.0)
        for left, right in zip(content, content[1:], strict=False):
            feats[f"b:{left} {right}"] += 0.5
        for word in content:
            if len(word) < 3:
                continue
            marked = f"<{word}>"
            for n in (3, 4):
                for i in range(len(marked) - n + 1):
                    feats["c:" + marked[i : i + n]] += 0.25
        return dict(feats)

    def _vector(self, text: str) -> np.ndarray:
        if not isinstance(text, str):
            raise TypeError(f"SimEmbeddings embeds strings, got {type(text).__name__}")
        vec = np.zeros(self.dim, dtype=np.float64)
        feats = self.features(text) or {"\x00empty": 1.0}
        for feature, weight in feats.items():
            index, sign = _slot(feature, self.seed, self.dim)
            vec[index] += sign * weight
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # every feature cancelled out: fall back to the empty-text vector
            index, sign = _slot("\x00empty", self.seed, self.dim)
            vec[index] = sign
            norm = 1.0
        return vec / norm

    def embed_array(self, texts: Iterable[str]) -> np.ndarray:
        """The vectors of ``texts`` as a ``(len(texts), dim)`` float64 array, rows unit length."""
        rows = [self._vector(t) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, self.dim))

    # ------------------------------------------------------------------ LangChain API

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text).tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)
