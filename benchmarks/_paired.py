"""Shared method of the benchmarks: paired, interleaved CPU-time measurements.

On a shared machine wall time counts other processes' turns on the CPU and load swings over
seconds. So each benchmark measures CPU time of this process, runs every candidate once per
round (interleaved: a slow spell hits all of them alike), and reports the median of the ratios
taken within each round against the named baseline. Nothing here asserts on time.

Not a benchmark itself (``make bench`` runs ``benchmarks/bench_*.py``); the scripts import it
from their own directory.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Mapping

__all__ = ["cpu_seconds", "interleaved", "paired_ratio", "load_average"]


def cpu_seconds(run: Callable[[], object], repeat: int = 1) -> float:
    """CPU seconds of this process per call of ``run`` (``repeat`` calls, after a collection)."""
    gc.collect()
    start = time.process_time()
    for _ in range(repeat):
        run()
    return (time.process_time() - start) / repeat


def interleaved(
    candidates: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    repeat: int,
    warmup: int = 0,
    between: Callable[[str], object] | None = None,
) -> dict[str, list[float]]:
    """Per-call CPU seconds of each candidate, one sample per round, candidates interleaved.

    Args:
        candidates: name -> a zero-argument callable (one call is one unit of work).
        rounds: samples per candidate.
        repeat: calls per sample.
        warmup: calls of each candidate before the first round (caches, lazy imports).
        between: called with the candidate's name before each of its samples (e.g. to switch
            tracing on or off); not timed.
    """
    for name, run in candidates.items():
        if between is not None:
            between(name)
        for _ in range(warmup):
            run()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            if between is not None:
                between(name)
            samples[name].append(cpu_seconds(run, repeat))
    return samples


def paired_ratio(
    samples: Mapping[str, list[float]], name: str, baseline: str
) -> tuple[float, float, float]:
    """Median, min and max over rounds of ``samples[name][i] / samples[baseline][i]``."""
    paired = [a / b for a, b in zip(samples[name], samples[baseline], strict=True)]
    return statistics.median(paired), min(paired), max(paired)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to print next to the figures."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())
