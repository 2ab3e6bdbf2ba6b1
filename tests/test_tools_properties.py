"""Property tests of the desk tools' argument schemas (hypothesis).

- every tool's schema is valid JSON Schema, also as the OpenAI tool format LangChain binds;
- arguments the schema accepts never make a tool raise: the model always gets a reply;
- arguments the schema rejects come back as a clear tool error naming each bad field, are
  logged, and change nothing.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ValidationError

from infralab.datasets import load_world
from infralab.datasets._schema import EMAIL_TEMPLATES, TIERS
from infralab.tools import SIDE_EFFECT_KINDS, TOOL_NAMES, SupportDesk
from infralab.tools._schemas import ARGS_SCHEMAS

WORLD = load_world()
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)

customer_ids = st.sampled_from([c["id"] for c in WORLD["customers"]]) | st.from_regex(
    r"C[0-9]{4}", fullmatch=True
)
emails = st.sampled_from([c["email"] for c in WORLD["customers"]]) | st.from_regex(
    r"[a-z0-9.]{1,12}@[a-z0-9]{1,8}\.[a-z]{2,5}", fullmatch=True
)
order_ids = st.sampled_from([o["id"] for o in WORLD["orders"]]) | st.from_regex(
    r"O[0-9]{5}", fullmatch=True
)
tracking = st.sampled_from(
    [o["tracking_number"] for o in WORLD["orders"] if o["tracking_number"]]
) | st.text(string.ascii_letters + string.digits, min_size=6, max_size=40)
amounts = st.sampled_from([o["total"] for o in WORLD["orders"]]) | st.floats(
    min_value=0, max_value=100_000, exclude_min=True, allow_nan=False
)

VALID_FIELDS = {
    "customer_id": customer_ids,
    "email": emails,
    "order_id": order_ids,
    "tracking_number": tracking,
    "amount": amounts,
    "query": st.text(min_size=2, max_size=200) | st.sampled_from(["API error 401", "refunds"]),
    "template": st.sampled_from(EMAIL_TEMPLATES),
    "address": st.text(min_size=5, max_size=200),
    "tier": st.sampled_from(TIERS),
    "two_factor_enabled": st.booleans(),
    "rotate_api_key": st.booleans(),
}


def valid_args(name: str) -> st.SearchStrategy[dict]:
    fields = ARGS_SCHEMAS[name].model_fields
    required = {k: VALID_FIELDS[k] for k, f in fields.items() if f.is_required()}
    optional = {k: VALID_FIELDS[k] for k, f in fields.items() if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def any_args(name: str) -> st.SearchStrategy[dict]:
    keys = st.sampled_from([*ARGS_SCHEMAS[name].model_fields, "reason", "id"]) | st.text(max_size=6)
    valid_values = st.one_of(*VALID_FIELDS.values())
    return st.dictionaries(keys, valid_values | json_values, max_size=5)


def _accepts(name: str, args: dict) -> bool:
    try:
        ARGS_SCHEMAS[name].model_validate(args)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_schemas_are_valid_json_schema(name):
    tool = SupportDesk().tools([name])[0]
    schema = tool.args_schema.model_json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    params = convert_to_openai_tool(tool)["function"]["parameters"]
    Draft202012Validator.check_schema(params)
    assert set(params["properties"]) == set(schema["properties"])


@pytest.mark.parametrize("name", TOOL_NAMES)
@SETTINGS
@given(data=st.data())
def test_valid_args_never_raise(name, data):
    args = data.draw(valid_args(name))
    assume(_accepts(name, args))
    Draft202012Validator(ARGS_SCHEMAS[name].model_json_schema()).validate(args)
    desk = SupportDesk()
    out = desk.run(name, args)  # must not raise, whatever the arguments
    assert isinstance(out, str)
    (record,) = desk.calls
    assert not out.startswith("Error: invalid arguments")
    if record.ok:
        assert isinstance(json.loads(out), dict)
    else:
        assert out.startswith("Error: ") and len(out) > 12
    effects = 1 if record.ok and name in SIDE_EFFECT_KINDS else 0
    assert len(desk.side_effects) == effects


@pytest.mark.parametrize("name", TOOL_NAMES)
@SETTINGS
@given(data=st.data())
def test_invalid_args_are_rejected_clearly(name, data):
    args = data.draw(any_args(name))
    try:
        ARGS_SCHEMAS[name].model_validate(args)
    except ValidationError as e:
        errors = e.errors()
    else:
        assume(False)
    desk = SupportDesk()
    before = json.dumps(desk.world, sort_keys=True)
    out = desk.run(name, args)
    assert out.startswith(f"Error: invalid arguments for {name}: ")
    assert "Expected arguments: " in out
    for err in errors:
        loc = ".".join(str(x) for x in err["loc"]) or "arguments"
        assert f"{loc}: " in out, (loc, out)
    (record,) = desk.calls
    assert record.ok is False and record.args == args and record.output == out
    assert desk.side_effects == []
    assert json.dumps(desk.world, sort_keys=True) == before
