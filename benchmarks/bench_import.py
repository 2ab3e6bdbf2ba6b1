"""How long does a kernel wait for the simulator, and does it stay clear of Phoenix?

Measures, side by side in one run, fresh interpreters that each do one import:

- baseline: ``import langchain_core.language_models`` (the named baseline; the package
  imports its classes lazily, so this is LangChain's import without a chat model class);
- floor: ``from langchain_core.language_models import BaseChatModel``, what any chat model
  subclass, hosted or simulated, has to load (it pulls in langsmith);
- ours: ``import infralab; from infralab.llm import SimChatModel``;

and checks that the second imported no ``phoenix`` module (the Phoenix server package costs
about 8 s and 400 MB; a kernel must never load it). Prints the numbers; never asserts on
time. Target: ours at most 1.5 s (import CPU time). Run: ``python benchmarks/bench_import.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

RUNS = 5

BASELINE = "import langchain_core.language_models"
# The package above loads its classes lazily; any chat model subclass needs this much:
FLOOR = "from langchain_core.language_models import BaseChatModel"
OURS = "import infralab; from infralab.llm import SimChatModel"
# CPU time of the import is the figure (stable on a shared machine); wall time is printed too.
PROBE = (
    "import json, sys, time; t = time.perf_counter(); c = time.process_time(); {code}; "
    "c = time.process_time() - c; t = time.perf_counter() - t; "
    "print(json.dumps({{'seconds': c, 'wall': t, 'phoenix': sorted(m for m in sys.modules "
    "if m == 'phoenix' or m.startswith('phoenix.'))[:5], 'modules': len(sys.modules)}}))"
)


def measure(code: str) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    result["process"] = time.perf_counter() - start
    return result


def main() -> None:
    measure(OURS)  # warm the OS file cache and __pycache__ for both
    measure(BASELINE)
    codes = {"baseline": BASELINE, "floor": FLOOR, "ours": OURS}
    rows: dict[str, list[dict]] = {name: [] for name in codes}
    for _ in range(RUNS):  # interleaved, so machine noise hits all alike
        for name, code in codes.items():
            rows[name].append(measure(code))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"fresh interpreter, {RUNS} interleaved runs, medians (load {load}):")
    print("  import CPU s / import wall s / whole process wall s")
    for name, code in codes.items():
        imp = statistics.median(r["seconds"] for r in rows[name])
        wall = statistics.median(r["wall"] for r in rows[name])
        proc = statistics.median(r["process"] for r in rows[name])
        mods = rows[name][-1]["modules"]
        print(f"  {name:8s} {imp:6.3f} / {wall:6.3f} / {proc:6.3f}  {mods:4d} modules  {code}")
    ours = statistics.median(r["seconds"] for r in rows["ours"])
    base = statistics.median(r["seconds"] for r in rows["baseline"])
    floor = statistics.median(r["seconds"] for r in rows["floor"])
    print(f"  ratio ours / baseline: {ours / base:.2f}x; ours / floor: {ours / floor:.2f}x")
    phoenix = sorted({m for r in rows["ours"] for m in r["phoenix"]})
    print(f"phoenix modules imported by ours: {phoenix or 'none'}")
    print(f"target: ours <= 1.5 s -> {'met' if ours <= 1.5 else 'NOT met'}")
    if phoenix:
        sys.exit("FAIL: importing infralab.llm loaded Phoenix")


if __name__ == "__main__":
    main()
