"""Where tracing's overhead on the support-desk episodes goes, one piece at a time.

The episodes and agent of ``bench_episodes.py``, run untraced (the baseline) and traced with
more and more of the tracing stack, each variant once per round (method of
``benchmarks/_paired.py``: CPU time, interleaved, median of the per-round ratios):

1. our LangChain handler installed with every callback a no-op: LangChain's own dispatch
   once any handler is attached;
2. our handler writing to OpenTelemetry's no-op tracer: the attributes it computes;
3. our handler on the ``RunTracer`` ``setup_tracing()`` uses, ending in a clock processor
   with no sink: run spans, ids, clock stamps, GenAI/cost attributes, finished spans;
4. ``setup_tracing()``: the same, plus the in-memory exporter that keeps every span.

For comparison, one more variant: ``setup_tracing()`` with the handler writing through the
SDK's own ``Span`` objects (the provider's SDK tracer), as it did before ``RunTracer``.

Prints figures; asserts nothing on time. Run:
``.venv/bin/python benchmarks/bench_tracing_breakdown.py [--episodes-per-round N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from _paired import interleaved, load_average, paired_ratio
from bench_episodes import PROFILE, run_episodes
from opentelemetry import trace

from infralab import _langchain_spans
from infralab._run_tracer import RunTracer
from infralab._tracing_processor import ClockSpanProcessor, DeterministicIdGenerator
from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel
from infralab.tracing import Tracing, _get_runtime, setup_tracing


class _Silent(_langchain_spans.SpanHandler):
    """The handler with every run callback a no-op: what LangChain's dispatch costs."""

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None: ...
    def on_chain_end(self, *args: Any, **kwargs: Any) -> None: ...
    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None: ...
    def on_llm_end(self, *args: Any, **kwargs: Any) -> None: ...
    def on_tool_start(self, *args: Any, **kwargs: Any) -> None: ...
    def on_tool_end(self, *args: Any, **kwargs: Any) -> None: ...


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes-per-round", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    os.environ.pop("PHOENIX_COLLECTOR_ENDPOINT", None)  # Phoenix export is not measured

    scenarios = load_scenarios()

    def simulated(seed: int) -> Any:
        return SimChatModel(profile=PROFILE, seed=seed)

    sinkless = ClockSpanProcessor(_get_runtime().processor.resource)
    run_tracer = RunTracer(sinkless, DeterministicIdGenerator(), "infralab.langchain")
    state: dict[str, Any] = {"tracing": None, "round": 0}

    def off() -> None:
        tracing: Tracing | None = state["tracing"]
        if tracing is not None:
            tracing.shutdown()
            tracing.clear()
            state["tracing"] = None
        _langchain_spans.uninstall()

    def silent() -> None:
        _langchain_spans.install(trace.NoOpTracer())
        _langchain_spans._handler = _Silent(trace.NoOpTracer())  # the no-op callbacks

    def full() -> None:
        state["tracing"] = setup_tracing("bench-tracing-breakdown")
        state["tracing"].clear()

    def full_with_sdk_spans() -> None:
        full()
        _langchain_spans.install(_get_runtime().provider.get_tracer("infralab.langchain"))

    switches: dict[str, Callable[[], object]] = {
        "untraced": lambda: None,
        "+ LangChain's dispatch (no-op handler)": silent,
        "+ our attributes (no-op tracer)": lambda: _langchain_spans.install(trace.NoOpTracer()),
        "+ run spans, clock processor (no sink)": lambda: _langchain_spans.install(run_tracer),
        "+ in-memory spans (setup_tracing)": full,
        "setup_tracing() with the SDK's Span objects": full_with_sdk_spans,
    }

    def between(name: str) -> None:
        off()
        switches[name]()

    per_round = args.episodes_per_round
    offsets = {name: 0 for name in switches}

    def runner(name: str) -> Callable[[], object]:
        def run() -> object:
            first = (offsets[name] * per_round) % 1000
            offsets[name] += 1
            return run_episodes(simulated, scenarios, per_round, first)

        return run

    run_episodes(simulated, scenarios, 20)  # warm-up of the graph and the models
    samples = interleaved(
        {name: runner(name) for name in switches},
        rounds=args.rounds,
        repeat=1,
        warmup=1,
        between=between,
    )
    off()
    print(
        f"tracing breakdown, CPU time per round of {per_round} episodes ({args.rounds} "
        f"interleaved rounds; load {load_average()}):"
    )
    for name in switches:
        med = sorted(samples[name])[len(samples[name]) // 2]
        ratio, low, high = paired_ratio(samples, name, "untraced")
        print(
            f"  {name:52s} {med / per_round * 1e3:5.2f} ms/episode  {ratio:.2f}x "
            f"({low:.2f}..{high:.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
