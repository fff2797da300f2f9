"""jsonschema-rs's first look at a record answers exactly as `jsonschema` does, on every draft it is asked
for (6, 7, 2019-09 and 2020-12; older drafts always go to jsonschema): flat records of typed, bounded
scalars, and the richer shapes (arrays, nested objects, combinators, local references, numeric enums)."""

from __future__ import annotations

from typing import Any

import jsonschema
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from crisislink.adapters.standards.json_schema import JsonSchemas, _judged_differently, first_look

DRAFTS = (
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)
NAMES = ("series", "observed_at", "value", "quality", "beds")
KINDS = ("string", "number", "integer", "boolean", "null")
numbers = (
    st.integers(-5, 5)
    | st.floats(-5, 5, allow_nan=False)
    | st.sampled_from([0.5, 1.0, 2.0, -0.0, 0.07, 0.3, 0.1])
)
# Unicode the two libraries could class differently: accents, no-break and zero-width spaces, control codes.
short_text = st.text(alphabet="ab1-é\u00a0\ufeff\x85\x1c ", max_size=4)
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
        spec["pattern"] = draw(st.sampled_from(["^a", "1$", "a-?b", "^$", "^\\s$", "^\\W$", "^\\S$"]))
    if draw(st.integers(0, 4)) == 0:
        spec["format"] = draw(st.sampled_from(["date-time", "email", "uri"]))
    if draw(st.integers(0, 4)) == 0:
        spec.update(draw(richer))
    return spec


RICHER: list[dict[str, Any]] = [
    {"type": "array", "items": {"type": "integer"}, "maxItems": 1},
    {"anyOf": [{"type": "string"}, {"type": "null"}]},
    {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
    {"not": {"type": "boolean"}},
    {"$ref": "#/$defs/level"},
    {"enum": [1, 2.0, "a", None]},
    {"type": "object", "properties": {"a": {"const": 1}}, "required": ["a"]},
    {"multipleOf": 0.5},
    {"multipleOf": 0.01},
    {"multipleOf": 2},
]
richer = st.sampled_from(RICHER)


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
    schema: dict[str, Any] = {
        "$schema": draw(st.sampled_from(DRAFTS)),
        "type": "object",
        "properties": {name: draw(properties()) for name in names},
        "$defs": {"level": {"type": "number", "minimum": 0}},
        "definitions": {"level": {"type": "number", "minimum": 0}},
    }
    if draw(st.booleans()):
        schema["required"] = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):
        schema["additionalProperties"] = draw(st.booleans())
    return schema


records = st.dictionaries(st.sampled_from((*NAMES, "extra")), values, max_size=6)


@settings(max_examples=3000, deadline=None)
@given(schema=schemas(), record=records)
def test_the_first_look_agrees_with_jsonschema(schema: dict[str, Any], record: dict[str, Any]) -> None:
    cls = validator_for(schema)
    try:
        cls.check_schema(schema)
    except SchemaError:
        assume(False)
    assert (JsonSchemas().compile(schema).errors(record) == []) is cls(schema).is_valid(record)
    look = first_look(schema)
    if look is None:  # keywords the libraries judge differently: jsonschema alone answers
        assert _judged_differently(schema), schema
        return
    assert look(record) is cls(schema).is_valid(record), (schema, record)


def test_where_the_libraries_disagree_jsonschema_alone_decides() -> None:
    for prop, value in (
        ({"multipleOf": 0.01}, 0.07),
        ({"multipleOf": 0.1}, 0.3),
        ({"pattern": "^\\s$"}, "\ufeff"),
        ({"pattern": "^\\W$"}, "é"),
        ({"pattern": "^\\S$"}, "\x85"),
    ):
        schema = {"type": "object", "properties": {"v": prop}}
        assert first_look(schema) is None, schema
        expected = jsonschema.Draft202012Validator(schema).is_valid({"v": value})
        assert (JsonSchemas().compile(schema).errors({"v": value}) == []) is expected, schema


def test_older_drafts_and_outside_references_go_to_jsonschema_alone() -> None:
    for old_draft in ("draft-03", "draft-04"):
        schema = {"$schema": f"http://json-schema.org/{old_draft}/schema#", "type": "object"}
        assert first_look(schema) is None
        assert JsonSchemas().compile(schema)._fast is None
    elsewhere = {"type": "object", "properties": {"a": {"$ref": "https://schemas.example/level.json"}}}
    assert first_look(elsewhere) is None  # offline: never fetched
    assert JsonSchemas().compile({"type": "object"})._fast is not None
    assert jsonschema.Draft202012Validator({"type": "integer"}).is_valid(1.0)
