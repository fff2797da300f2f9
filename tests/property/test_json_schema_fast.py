"""The fast check of flat record schemas answers exactly as `jsonschema` does, on every draft it takes
(6, 7, 2019-09 and 2020-12; older drafts always go to jsonschema)."""

from __future__ import annotations

from typing import Any

import jsonschema
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from crisislink.adapters.standards.json_schema import JsonSchemas
from crisislink.adapters.standards.json_schema_fast import compile_flat

DRAFTS = (
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)
NAMES = ("series", "observed_at", "value", "quality", "beds")
KINDS = ("string", "number", "integer", "boolean", "null")
numbers = st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False) | st.sampled_from([0.5, 1.0, 2.0, -0.0])
short_text = st.text(alphabet="ab1-", max_size=4)
values = (
    st.none() | st.booleans() | numbers | short_text | st.lists(st.integers(), max_size=2) | st.just({"a": 1})
)


@st.composite
def properties(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True))
        spec["type"] = kinds[0] if len(kinds) == 1 and draw(st.booleans()) else kinds
    if draw(st.booleans()):
        spec["enum"] = draw(st.lists(st.none() | short_text, min_size=1, max_size=3, unique=True))
    if draw(st.integers(0, 5)) == 0:
        spec["const"] = draw(short_text)
    for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            spec[keyword] = draw(numbers)
    for keyword in ("minLength", "maxLength"):
        if draw(st.integers(0, 3)) == 0:
            spec[keyword] = draw(st.integers(0, 4))
    if draw(st.integers(0, 4)) == 0:
        spec["pattern"] = draw(st.sampled_from(["^a", "1$", "a-?b", "^$"]))
    if draw(st.integers(0, 4)) == 0:
        spec["format"] = "date-time"
    return spec


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
    schema: dict[str, Any] = {
        "$schema": draw(st.sampled_from(DRAFTS)),
        "type": "object",
        "properties": {name: draw(properties()) for name in names},
    }
    if draw(st.booleans()):
        schema["required"] = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):
        schema["additionalProperties"] = draw(st.booleans())
    return schema


records = st.dictionaries(st.sampled_from((*NAMES, "extra")), values, max_size=6)


@settings(max_examples=3000, deadline=None)
@given(schema=schemas(), record=records)
def test_the_fast_check_agrees_with_jsonschema(schema: dict[str, Any], record: dict[str, Any]) -> None:
    cls = validator_for(schema)
    try:
        cls.check_schema(schema)
    except SchemaError:
        assume(False)
    fast = compile_flat(schema, integral_floats=bool(cls.TYPE_CHECKER.is_type(1.0, "integer")))
    assert fast is not None, schema
    assert fast(record) is cls(schema).is_valid(record), (schema, record)


def test_schemas_outside_the_subset_go_to_jsonschema() -> None:
    for schema in (
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {}}},
        {"type": "object", "properties": {"a": {"type": "array"}}},
        {"type": "object", "properties": {"a": {"enum": [1, 2]}}},  # equality of numbers: jsonschema's
        {"type": "object", "patternProperties": {"^a": {}}},
        {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}]}}},
        {"type": "object", "properties": {"a": True}},
    ):
        assert compile_flat(schema, integral_floats=True) is None, schema
    for old_draft in ("draft-03", "draft-04"):
        schema = {"$schema": f"http://json-schema.org/{old_draft}/schema#", "type": "object"}
        assert JsonSchemas().compile(schema)._fast is None
    assert JsonSchemas().compile({"type": "object"})._fast is not None
    assert jsonschema.Draft202012Validator({"type": "integer"}).is_valid(1.0)
