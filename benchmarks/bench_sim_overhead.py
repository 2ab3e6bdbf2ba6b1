"""How much does the simulator cost per call, next to LangChain's own fake chat model?

Measures, side by side in one run, ``invoke`` calls per second of:

- ``FakeMessagesListChatModel`` (langchain-core's test double: returns canned messages), and
- ``SimChatModel`` with a script (so the scenario oracle is not consulted), which on top of
  that counts tokens, hashes the input for its draws, prices the call and sleeps on the
  virtual clock;
- and, for information, ``SimChatModel`` answering by its free-text rules and by the scenario
  oracle with tools bound.

Prints the numbers and the ratio of per-call CPU times; never asserts on time. Target: the
scripted simulator at most 1.5x the fake's per-call time. Run: ``python benchmarks/bench_sim_overhead.py``.
"""

from __future__ import annotations

import gc
import os
import statistics
import time

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from infralab.clock import VirtualClock, use_clock
from infralab.llm import SimChatModel

ROUNDS = 15
CALLS = 300

PROMPT = [
    SystemMessage("You are a concise support assistant for an online shop."),
    HumanMessage("Hi! Can you tell me what your refund policy is for opened items?"),
]


def per_call_seconds(invoke, calls: int = CALLS) -> float:
    """CPU seconds per call: on a shared machine, wall time also counts other processes'
    turns on the CPU, which CPU time of this process does not."""
    gc.collect()
    start = time.process_time()
    for _ in range(calls):
        invoke(PROMPT)
    return (time.process_time() - start) / calls


def main() -> None:
    reply = "Opened items can be returned within 30 days for store credit."
    fake = FakeMessagesListChatModel(responses=[AIMessage(reply)])
    scripted = SimChatModel(script=lambda messages, tools: reply, oracle=False)
    rules = SimChatModel(oracle=False)

    from infralab.datasets import load_scenarios
    from infralab.tools import SupportDesk

    scenario = next(s for s in load_scenarios() if s.expected_tool_calls and not s.injection)
    oracle = SimChatModel().bind_tools(SupportDesk(scenario=scenario).tools())
    oracle_prompt = [HumanMessage(scenario.message)]

    candidates = {
        "fake (FakeMessagesListChatModel)": fake.invoke,
        "sim, scripted": scripted.invoke,
        "sim, free-text rules": rules.invoke,
        "sim, scenario oracle + 8 tools": lambda _p: oracle.invoke(oracle_prompt),
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    with use_clock(VirtualClock()):
        for fn in candidates.values():  # warm up caches and lazy imports
            per_call_seconds(fn, 50)
        for _ in range(ROUNDS):  # interleaved, so machine noise hits every candidate alike
            for name, fn in candidates.items():
                samples[name].append(per_call_seconds(fn))

    # Each round times every candidate back to back, so the ratio within a round cancels the
    # slow swings of a shared machine; the median of those paired ratios is the figure.
    fake_name = "fake (FakeMessagesListChatModel)"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"invoke, CPU time per call ({ROUNDS} interleaved rounds x {CALLS} calls; load {load}):")
    print("  best / median")
    for name, values in samples.items():
        best, med = min(values), statistics.median(values)
        print(f"  {name:34s} {best * 1e6:7.1f} / {med * 1e6:7.1f} us   {1 / med:7.0f} calls/s")
    ratios = {}
    for name in list(candidates)[1:]:
        paired = [a / b for a, b in zip(samples[name], samples[fake_name], strict=True)]
        ratios[name] = statistics.median(paired)
        spread = f"{min(paired):.2f}..{max(paired):.2f}"
        print(f"  ratio {name} / fake: {ratios[name]:.2f}x (median of paired rounds; {spread})")
    ratio = ratios["sim, scripted"]
    print(f"target: scripted sim <= 1.50x the fake -> {'met' if ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
