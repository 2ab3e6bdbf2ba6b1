"""Regenerate the support-desk dataset: ``python -m infralab.datasets.generate``.

Writes ``world.json`` and ``scenarios.jsonl`` and prints the distribution that
``datasets/support_desk/DATASHEET.md`` quotes. Deterministic: the same ``--seed`` writes
byte-identical files in any process (every draw is a hash of the seed and a label).

Usage:
    python -m infralab.datasets.generate --seed 7 --out datasets/support_desk
"""

from __future__ import annotations

from infralab.datasets._generate import generate, main

__all__ = ["generate", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
