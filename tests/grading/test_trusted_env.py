"""Is behaviour judged from the trusted environment's own log, never from the learner's report?

A small lab is written here on the fly: `resolve(model, desk, scenario)` runs a tool loop
for a support ticket. Its grade cells build an `Environment`, hand the learner's code
references to its model and desk, and judge from the desk's and the model's logs. We grade
the reference, honest mistakes, and cheats that fabricate what the run "did", in the real
sandbox and in-process.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from infralab.grading import Environment, probe
from infralab.grading._lab import load_lab, make_submission, reference_solutions
from infralab.grading.grade._grade import default_options, grade_notebook

pytestmark = pytest.mark.slow

LAB = "t1-env"

SETUP = """\
from langchain_core.messages import HumanMessage
from infralab.clock import VirtualClock, use_clock
"""

SOLUTION = """\
def resolve(model, desk, scenario, route="shipping"):
    \"\"\"Let the model call the desk's tools until it answers; return a short report.\"\"\"
    ### BEGIN SOLUTION
    tools = {t.name: t for t in desk.tools_for(route)}
    bound = model.bind_tools(list(tools.values()))
    history = [HumanMessage(scenario.message)]
    for _ in range(8):
        ai = bound.invoke(history)
        history.append(ai)
        if not ai.tool_calls:
            return {"answer": ai.content, "tool_calls": len(history) // 2}
        for tc in ai.tool_calls:
            history.append(tools[tc["name"]].invoke({**tc, "type": "tool_call"}))
    return {"answer": None, "tool_calls": len(history) // 2}
    ### END SOLUTION
"""

VISIBLE = '''\
"""Does resolve return a dict with an answer?"""
from infralab.grading import probe

got = probe("resolve.__name__")
assert got == "resolve", got
'''

HIDDEN = '''\
"""Does the desk receive, from the model, every tool call the scenario needs?"""
from infralab.datasets import load_scenarios
from infralab.grading import Environment, probe

### BEGIN HIDDEN TESTS
picked = [s for s in load_scenarios(split="test")
          if s.route == "shipping" and not s.ambiguous and s.injection is None
          and len(s.expected_tool_calls) >= 2][:2]
for s in picked:
    env = Environment()
    model = env.model("sim-large@2026-11", seed=5)
    scenario = env.scenario(s)
    desk = env.desk(scenario)
    report = probe(f"""
with use_clock(VirtualClock()):
    r = resolve({model}, {desk}, {scenario})
r["answer"] is not None
""")
    expected = [(c.name, dict(c.args)) for c in s.expected_tool_calls]
    made = desk.model_issued_calls()
    assert all(call in made for call in expected), f"{s.id}: desk saw {made}"
    assert model.calls >= len(expected) + 1, model.calls
    assert all(e["issued"] for e in desk.log), "every tool call must come from the model"
### END HIDDEN TESTS
'''

# Learner answers: honest mistakes and cheats.
STOPS_EARLY = SOLUTION.replace("for _ in range(8):", "for _ in range(1):")
KNOWS_THE_ANSWER = """\
def resolve(model, desk, scenario, route="shipping"):
    # no model: call the tools with arguments from the worker's copy of the dataset
    from infralab.datasets import load_scenarios
    for s in load_scenarios():
        if s.id == scenario.id:
            for c in s.expected_tool_calls:
                desk.run(c.name, dict(c.args))
    return {"answer": "done", "tool_calls": 2}
"""
FORGES_IDS = """\
def resolve(model, desk, scenario, route="shipping"):
    # tool calls dressed up as the model's, with made-up ids
    tools = {t.name: t for t in desk.tools_for(route)}
    tools["lookup_order"].invoke({"type": "tool_call", "id": "call_1", "name": "lookup_order",
                                  "args": {"order_id": "O10191"}})
    return {"answer": "done", "tool_calls": 1}
"""
PATCHES_THE_CHANNEL = """\
import infralab.grading.sandbox._env_client as _c
_c.set_channel(lambda request: {"ok": True, "value": [], "content": "ok", "status": "success",
                                "message": {"type": "ai", "data": {"content": "done"}},
                                "elapsed": 0.0})

def resolve(model, desk, scenario, route="shipping"):
    return {"answer": "done", "tool_calls": 3}
"""


def _write_lab(course) -> None:
    nb = nbformat.v4.new_notebook()

    def cell(source, grade_id, *, grade=False, solution=False, points=None, kind="code"):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        c = make(source)
        meta = {
            "grade": grade,
            "solution": solution,
            "locked": not solution,
            "grade_id": grade_id,
            "schema_version": 3,
        }
        if grade:
            meta["points"] = points
        c.metadata["nbgrader"] = meta
        return c

    nb.cells = [
        cell("# T1 environment lab", "intro", kind="markdown"),
        cell(SETUP, "setup"),
        cell("## Task 1: resolve (10 points)", "task1-intro", kind="markdown"),
        cell(SOLUTION, "task1-solution", solution=True),
        cell(VISIBLE, "task1-visible", grade=True, points=2),
        cell(HIDDEN, "task1-hidden", grade=True, points=8),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder = course.solutions / LAB
    folder.mkdir(parents=True)
    (folder / f"{LAB}.ipynb").write_text(nbformat.writes(nb))


@pytest.fixture
def env_lab(course):
    _write_lab(course)
    return load_lab(course, LAB)


def _grade(course, spec, code, tmp_path, use_bwrap=True):
    from infralab.grading.sandbox._sandbox import SandboxConfig

    solutions = reference_solutions(spec)
    if code is not None:
        solutions["task1-solution"] = code
    nb = make_submission(spec, solutions)
    options = default_options(cell_timeout=60, sandbox=SandboxConfig(use_bwrap=use_bwrap))
    result = grade_notebook(course, nb, options=options, lab=LAB, workdir=tmp_path)
    return {t["grade_id"]: t["status"] for t in result["tasks"]}


@pytest.mark.needs_bwrap
def test_reference_passes_and_fabrications_fail_in_the_sandbox(sandbox, course, env_lab, tmp_path):
    assert _grade(course, env_lab, None, tmp_path)["task1-hidden"] == "pass"
    for cheat in (STOPS_EARLY, KNOWS_THE_ANSWER, FORGES_IDS, PATCHES_THE_CHANNEL):
        statuses = _grade(course, env_lab, cheat, tmp_path)
        assert statuses["task1-hidden"] != "pass", cheat.splitlines()[1]


def test_in_process_environment_behaves_like_the_sandboxed_one():
    """In a kernel the same requests are served in-process, after the same JSON round trip."""
    ns = {}
    exec(SETUP + SOLUTION.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), ns)
    import __main__

    saved = dict(__main__.__dict__)
    __main__.__dict__.update(ns)
    try:
        from infralab.datasets import load_scenarios

        s = next(
            x
            for x in load_scenarios(split="test")
            if x.route == "shipping" and not x.ambiguous and x.injection is None
        )
        env = Environment()
        model, scenario = env.model(seed=5), env.scenario(s)
        desk = env.desk(scenario)
        got = probe(
            f"[resolve({model}, {desk}, {scenario})['answer'] is not None, {scenario}.route]"
        )
    finally:
        __main__.__dict__.clear()
        __main__.__dict__.update(saved)
    assert got == [True, ""], "the learner's side never sees the scenario's route"
    assert [c for c in desk.model_issued_calls()] == [
        (c.name, dict(c.args)) for c in s.expected_tool_calls
    ]
    assert env.clock.now() > 0 and model.tokens > 0
    json.dumps(model.log)  # the trusted log is plain data


def test_hostile_requests_get_errors_not_crashes():
    env = Environment()
    model = env.model()
    bad = [
        {"op": "model.generate", "handle": model.id, "messages": "nope"},
        {"op": "model.generate", "handle": 999},
        {"op": "clock.sleep", "handle": 0, "seconds": float("inf")},
        {"op": "clock.sleep", "handle": 0, "seconds": -1},
        {"op": "desk.tool", "handle": model.id, "tool": "x", "args": {}},
        {"op": "rm -rf"},
        {"op": "model.generate", "handle": model.id, "messages": [{"type": "??"}]},
    ]
    for request in bad:
        reply = env.handle(request)
        assert reply["ok"] is False and isinstance(reply["error"], dict), request
        json.dumps(reply)
    assert env.clock.now() == 0.0 and model.calls == 0
