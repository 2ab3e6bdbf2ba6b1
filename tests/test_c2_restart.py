"""c2-interaction-design task 3 across real process restarts, outside the grader.

The lab's hidden cell ``task3-hidden2`` pauses a refund in the reference solution's worker and
resumes it in the learner's, two sandboxed processes under ``infralab grade``; in a kernel
(nbval of solutions/) both run in one process. This test restarts for real: the reference's
``build_refund_flow`` pauses in one Python process on an SQLite checkpointer and is resumed
with ``Command(resume=...)`` in fresh processes that hold nothing but the checkpoint file (and
a virtual clock set to a later time). It also shows that a flow which keeps its threads in a
saver of its own (the committed mutant ``task3-own-saver``) survives a rebuild in one process
but not a restart, which is why the hidden cell exists.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from infralab.grading._course import Course
from infralab.grading._lab import load_lab, load_mutants, reference_solutions

ROOT = Path(__file__).resolve().parents[1]
LAB = "c2-interaction-design"

# What the setup cell gives the task-3 solution cell, and nothing else.
PREAMBLE = """\
import json, sqlite3, sys
from typing import TypedDict
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from infralab.clock import VirtualClock, current_clock, use_clock
from infralab.tools import SupportDesk
"""

PAUSE = """
desk, clock = SupportDesk(), VirtualClock(start=100.0)
conn = sqlite3.connect(sys.argv[1], check_same_thread=False)
with use_clock(clock):
    out = build_refund_flow(desk, SqliteSaver(conn)).invoke(
        {"order_id": "O10011", "amount": 39.9}, {"configurable": {"thread_id": "t-1"}})
conn.close()
print(json.dumps({"paused": [i.value for i in out.get("__interrupt__", [])],
                  "effects": len(desk.side_effects)}))
"""

RESUME = """
desk, clock = SupportDesk(), VirtualClock(start=float(sys.argv[2]))
conn = sqlite3.connect(sys.argv[1], check_same_thread=False)
try:
    with use_clock(clock):
        out = build_refund_flow(desk, SqliteSaver(conn)).invoke(
            Command(resume={"type": "approve", "by": "maria"}),
            {"configurable": {"thread_id": "t-1"}})
    result = {"status": out.get("status"), "audit": out.get("audit")}
except Exception as exc:
    result = {"error": type(exc).__name__}
result["effects"] = [[e.tool, e.args, e.t] for e in desk.side_effects]
print(json.dumps(result))
"""


def _solution(mutant: str | None = None) -> str:
    spec = load_lab(Course(ROOT), LAB)
    if mutant is None:
        return reference_solutions(spec)["task3-solution"]
    found = [m for m in load_mutants(ROOT / "tests" / "mutants" / LAB, spec) if m.name == mutant]
    assert found, f"no committed mutant {mutant}"
    return found[0].code


def _run(tmp_path: Path, name: str, code: str, *args: str) -> dict:
    script = tmp_path / f"{name}.py"
    script.write_text(textwrap.dedent(code))
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reference_flow() -> str:
    return PREAMBLE + _solution()


def test_pause_in_one_process_resume_in_another(tmp_path, reference_flow):
    db = tmp_path / "checkpoints.db"
    paused = _run(tmp_path, "pause", reference_flow + PAUSE, str(db))
    assert paused == {
        "paused": [
            {
                "action": "refund_order",
                "args": {"order_id": "O10011", "amount": 39.9},
                "expires_at": 400.0,
            }
        ],
        "effects": 0,
    }
    # A fresh process whose clock never saw t=100: the deadline must come from the checkpoint.
    resumed = _run(tmp_path, "resume", reference_flow + RESUME, str(db), "160")
    assert resumed == {
        "status": "refunded",
        "audit": [
            {
                "by": "maria",
                "decision": "approve",
                "args": {"order_id": "O10011", "amount": 39.9},
                "t": 160.0,
            }
        ],
        "effects": [["refund_order", {"order_id": "O10011", "amount": 39.9}, 160.0]],
    }


def test_a_late_approval_after_a_restart_moves_no_money(tmp_path, reference_flow):
    db = tmp_path / "checkpoints.db"
    _run(tmp_path, "pause", reference_flow + PAUSE, str(db))
    late = _run(tmp_path, "resume", reference_flow + RESUME, str(db), "400.5")
    assert late["status"] == "expired" and late["effects"] == []


def test_resuming_without_the_checkpoint_does_not_act(tmp_path, reference_flow):
    empty = _run(tmp_path, "resume", reference_flow + RESUME, str(tmp_path / "empty.db"), "160")
    assert empty["effects"] == []


def test_a_saver_of_its_own_does_not_survive_a_restart(tmp_path):
    flow = PREAMBLE + _solution("task3-own-saver")
    db = tmp_path / "checkpoints.db"
    paused = _run(tmp_path, "pause", flow + PAUSE, str(db))
    assert len(paused["paused"]) == 1  # in its own process it pauses like the reference
    resumed = _run(tmp_path, "resume", flow + RESUME, str(db), "160")
    assert resumed["effects"] == [], "the thread lived in the dead process's memory"
