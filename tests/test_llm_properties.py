"""Property tests: determinism (also across processes), structured output, streaming."""

import json
import random
import subprocess
import sys
from typing import Literal, Optional

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, create_model

from infralab.clock import VirtualClock, use_clock
from infralab.llm import SimChatModel

PROFILES = ["sim-small@2026-06", "sim-small@2026-11", "sim-large@2026-06", "sim-large@2026-11"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- determinism ---------------------------------------------------------------------------

# A case is plain data, so that another interpreter can replay it from JSON.
free_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=60
)
case = st.fixed_dictionaries(
    {
        "profile": st.sampled_from(PROFILES),
        "seed": st.integers(0, 5),
        "scenario": st.one_of(st.none(), st.integers(0, 359)),
        "text": free_text,
        "tools": st.booleans(),
    }
)

RUN_CASES = r"""
import json, sys
from langchain_core.messages import HumanMessage
from infralab.clock import VirtualClock, use_clock
from infralab.datasets import load_scenarios
from infralab.llm import SimChatModel
from infralab.tools import SupportDesk

def run(c):
    text = c["text"]
    if c["scenario"] is not None:
        sc = load_scenarios()[c["scenario"]]
        text = sc.message
    m = SimChatModel(profile=c["profile"], seed=c["seed"])
    if c["tools"]:
        m = m.bind_tools(SupportDesk().tools())
    with use_clock(VirtualClock()) as clock:
        r = m.invoke([HumanMessage(text)])
    return {
        "content": r.content,
        "tool_calls": r.tool_calls,
        "usage": r.usage_metadata,
        "metadata": r.response_metadata,
        "elapsed": clock.now(),
    }

if __name__ == "__main__":
    print(json.dumps([run(c) for c in json.load(sys.stdin)]))
"""


def _run_here(cases):
    namespace = {"__name__": "here"}
    exec(RUN_CASES, namespace)  # the very code the subprocess runs
    return [namespace["run"](c) for c in cases]


@settings(max_examples=4, deadline=None)
@given(st.lists(case, min_size=4, max_size=10))
def test_same_outputs_in_a_fresh_process(cases):
    """Does a separate Python process give identical outputs, ids, usage and timing?"""
    here = json.loads(json.dumps(_run_here(cases)))
    out = subprocess.run(
        [sys.executable, "-c", RUN_CASES],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == here


@SETTINGS
@given(st.lists(case, min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_call_order_does_not_matter(cases, rnd):
    """Are outputs the same when the same calls run in another order?"""
    forward = _run_here(cases)
    order = list(range(len(cases)))
    rnd.shuffle(order)
    shuffled = _run_here([cases[i] for i in order])
    assert [shuffled[order.index(i)] for i in range(len(cases))] == forward


# -- structured output ---------------------------------------------------------------------

_FIELD_TYPES = st.sampled_from(
    [
        (str, ...),
        (int, ...),
        (float, ...),
        (bool, ...),
        (list[str], ...),
        (Optional[int], None),  # noqa: UP045 (a typing form Pydantic users write)
        (Literal["red", "green", "blue"], ...),
        (int, Field(ge=3, le=9)),
        (str, Field(max_length=5)),
        (float, Field(gt=0.5, lt=2.0)),
    ]
)


class Inner(BaseModel):
    """A nested model."""

    code: str
    count: int = Field(ge=1)


@st.composite
def pydantic_models(draw):
    # Names the simulator fills from the user's words or a scenario, and arbitrary ones.
    hinted = st.sampled_from(
        ["answer", "summary", "reason", "customer_id", "city", "query", "order_id", "intent"]
    )
    names = draw(
        st.lists(
            hinted | st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    fields = {name: draw(_FIELD_TYPES) for name in names}
    if draw(st.booleans()):
        fields["inner"] = (Inner, ...)
    return create_model("Generated", __doc__="A generated schema.", **fields)


@SETTINGS
@given(
    pydantic_models(),
    st.sampled_from(["function_calling", "json_schema", "json_mode"]),
    free_text,
    st.sampled_from(PROFILES),
)
def test_structured_output_validates_for_any_pydantic_schema(model, method, text, profile):
    """Is the output an instance of any generated Pydantic schema, for every method?"""
    out = (
        SimChatModel(profile=profile)
        .with_structured_output(model, method=method)
        .invoke(text or "x")
    )
    assert isinstance(out, model)


json_leaf = st.sampled_from(
    [
        {"type": "string"},
        {"type": "integer", "minimum": 2, "maximum": 4},
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "boolean"},
        {"type": "string", "enum": ["a", "b"]},
        {"type": "string", "format": "date-time"},
        {"type": "array", "items": {"type": "integer"}, "minItems": 2},
        {"anyOf": [{"type": "null"}, {"type": "string", "minLength": 3}]},
        {"type": ["string", "null"]},
    ]
)


@st.composite
def json_schemas(draw):
    props = draw(
        st.dictionaries(
            st.sampled_from(["answer", "summary", "city", "facts", "route"])
            | st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
            json_leaf,
            min_size=1,
            max_size=6,
        )
    )
    if draw(st.booleans()):
        props["nested"] = {
            "type": "object",
            "properties": {"x": {"$ref": "#/$defs/Leaf"}},
            "required": ["x"],
        }
    required = sorted(k for k in props if draw(st.booleans()))
    return {
        "title": "Generated",
        "description": "A generated schema.",
        "type": "object",
        "properties": props,
        "required": required,
        "$defs": {"Leaf": {"type": "string", "maxLength": 4}},
        "additionalProperties": False,
    }


@SETTINGS
@given(json_schemas(), st.sampled_from(["function_calling", "json_schema"]), free_text)
def test_structured_output_validates_for_any_json_schema(schema, method, text):
    """Does the output satisfy any generated JSON schema (checked with jsonschema)?"""
    out = SimChatModel().with_structured_output(schema, method=method).invoke(text or "x")
    jsonschema.validate(out, schema)


# -- streaming -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
tool_call = st.fixed_dictionaries(
    {
        "name": st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True),
        "args": st.dictionaries(
            st.from_regex(r"[a-z]{1,8}", fullmatch=True), json_values, max_size=4
        ),
    }
)
script_item = st.fixed_dictionaries(
    {"content": free_text, "tool_calls": st.lists(tool_call, max_size=3)}
)


@SETTINGS
@given(script_item, st.sampled_from(PROFILES), st.booleans())
def test_stream_aggregates_to_invoke(item, profile, use_async):
    """Do streamed chunks add up to the invoke reply: text, tool calls, usage, cost, time?"""
    import asyncio

    if not item["content"] and not item["tool_calls"]:
        item = {"content": "x", "tool_calls": []}
    with use_clock(VirtualClock()) as clock:
        ref = SimChatModel(profile=profile, script=[item]).invoke("go")
    invoke_time = clock.now()
    model = SimChatModel(profile=profile, script=[item])
    with use_clock(VirtualClock()) as clock:
        if use_async:

            async def collect():
                return [c async for c in model.astream("go")]

            chunks = asyncio.run(collect())
        else:
            chunks = list(model.stream("go"))
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == ref.content
    assert full.tool_calls == ref.tool_calls
    assert full.usage_metadata == ref.usage_metadata
    assert full.response_metadata["cost_usd"] == ref.response_metadata["cost_usd"]
    assert full.response_metadata["finish_reason"] == ref.response_metadata["finish_reason"]
    assert abs(clock.now() - invoke_time) < 1e-9


def test_random_module_state_is_irrelevant():
    """Does reseeding Python's global random change nothing (no hidden global state)?"""
    random.seed(1)
    a = SimChatModel(seed=4).invoke("Summarize: one. two. three.")
    random.seed(2)
    b = SimChatModel(seed=4).invoke("Summarize: one. two. three.")
    assert (a.content, a.usage_metadata) == (b.content, b.usage_metadata)
