"""Pushed observations as JSON, CSV and GeoJSON, and the JSON Schema adapter that judges them."""

from __future__ import annotations

from typing import Any

import pytest

from crisislink.adapters.standards import observation_formats as f
from crisislink.adapters.standards.json_schema import JsonSchemas, pointer
from crisislink.domains.datasets.model import Location
from crisislink.kernel.errors import InvalidInput

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "series": {"type": "string"},
        "observed_at": {"type": "string"},
        "value": {"type": ["number", "null"]},
        "beds": {"type": "integer"},
        "open": {"type": "boolean"},
        "note": {"type": ["string", "null"]},
    },
}


def test_a_json_array_gives_one_record_per_item_and_flags_what_is_not_an_object() -> None:
    records = f.from_json(b'[{"series": "a", "value": 1}, 7]', limit=10)
    assert records[0].data == {"series": "a", "value": 1}
    assert records[0].problem is None
    assert records[1].problem == ("", "a record must be a JSON object")


@pytest.mark.parametrize(
    ("body", "mentions"),
    [(b"{not json", "not valid JSON"), (b'{"series": "a"}', "JSON array"), (b"[1, 2, 3]", "at most 2")],
)
def test_a_json_body_that_is_not_a_batch_is_refused_whole(body: bytes, mentions: str) -> None:
    with pytest.raises(InvalidInput, match=mentions):
        f.from_json(body, limit=2)


def test_csv_cells_are_typed_by_the_schema_and_empty_cells_follow_null() -> None:
    body = (
        "\ufeffseries,observed_at,value,beds,open,note,extra\r\n"
        "a,2021-07-15T01:00:00Z,4.5,12,yes,,x\r\n"
        'a,2021-07-15T02:00:00Z,,twelve,maybe,"=cmd",\r\n'
    ).encode()
    first, second = f.from_csv(body, SCHEMA, limit=10)
    assert first.data == {
        "series": "a",
        "observed_at": "2021-07-15T01:00:00Z",
        "value": 4.5,
        "beds": 12,
        "open": True,
        "note": None,
        "extra": "x",
    }
    # What does not convert stays text, so the schema says what is wrong with it.
    assert second.data == {
        "series": "a",
        "observed_at": "2021-07-15T02:00:00Z",
        "value": None,
        "beds": "twelve",
        "open": "maybe",
        "note": "=cmd",
    }


def test_csv_rows_with_too_many_cells_and_non_finite_numbers_are_caught() -> None:
    body = b"series,observed_at,value\na,2021-07-15T01:00:00Z,1,2\na,2021-07-15T02:00:00Z,nan\n"
    extra, nan = f.from_csv(body, SCHEMA, limit=10)
    assert extra.problem == ("", "this row has more cells than the header has columns")
    assert nan.data["value"] == "nan"  # a string: the schema refuses it as not a number


@pytest.mark.parametrize(
    ("body", "mentions"), [(b"", "header row"), (b"\xff\xfe", "UTF-8"), (b"a\n1\n2\n3\n", "at most 2")]
)
def test_unreadable_csv_is_refused_whole(body: bytes, mentions: str) -> None:
    with pytest.raises(InvalidInput, match=mentions):
        f.from_csv(body, SCHEMA, limit=2)


def test_a_feature_collection_gives_records_placed_by_their_points() -> None:
    body = b"""{"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.7, 50.8]},
         "properties": {"series": "a", "value": 1}},
        {"type": "Feature", "geometry": null, "properties": {"series": "b"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[5, 50], [6, 51]]},
         "properties": {"series": "c"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500, 50]}, "properties": {}},
        {"type": "Feature", "properties": 3},
        {"type": "Polygon"}
    ]}"""
    placed, bare, line, outside, no_properties, not_feature = f.from_geojson(body, limit=10)
    assert placed.location == Location(5.7, 50.8)
    assert placed.data == {"series": "a", "value": 1}
    assert bare.location is None
    assert bare.problem is None
    assert line.problem == ("/geometry", "only a Point geometry (or null) places an observation")
    assert outside.problem is not None
    assert "WGS84" in outside.problem[1]
    assert no_properties.problem is not None
    assert no_properties.problem[0] == "/properties"
    assert not_feature.problem == ("", "each item of 'features' must be a GeoJSON Feature")
    # A FeatureCollection sent as application/json is read the same way.
    assert f.from_json(body, limit=10)[0].location == Location(5.7, 50.8)


def test_geojson_must_be_a_feature_collection() -> None:
    with pytest.raises(InvalidInput, match="FeatureCollection"):
        f.from_geojson(b'{"type": "Feature"}', limit=10)


# --- the JSON Schema adapter ---------------------------------------------------------------------------


def test_errors_point_into_the_record_with_json_pointers() -> None:
    schema = {
        "type": "object",
        "properties": {
            "value": {"type": "number"},
            "a/b": {"type": "object", "properties": {"c~": {"type": "string"}}},
        },
        "required": ["value"],
    }
    compiled = JsonSchemas().compile(schema)
    assert compiled.errors({"value": 1}) == []
    errors = compiled.errors({"value": "x", "a/b": {"c~": 1}})
    assert sorted(path for path, _ in errors) == ["/a~1b/c~0", "/value"]
    assert pointer(["readings", 3]) == "/readings/3"


def test_a_compiled_schema_is_reused() -> None:
    schemas = JsonSchemas()
    assert schemas.compile({"type": "object"}) is schemas.compile({"type": "object"})


def test_the_schema_draft_follows_dollar_schema() -> None:
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"v": {"type": "number", "exclusiveMinimum": True, "minimum": 0}},
    }
    JsonSchemas().check(draft4)  # valid in draft 4, where exclusiveMinimum is a boolean
    assert JsonSchemas().compile(draft4).errors({"v": 0})


def test_an_oversized_schema_is_refused() -> None:
    huge = {"type": "object", "description": "x" * 70_000}
    with pytest.raises(InvalidInput, match="larger than"):
        JsonSchemas().check(huge)


def test_a_local_reference_resolves_without_any_network() -> None:
    schema = {
        "type": "object",
        "$defs": {"level": {"type": "number", "maximum": 10}},
        "properties": {"value": {"$ref": "#/$defs/level"}},
    }
    JsonSchemas().check(schema)
    assert JsonSchemas().compile(schema).errors({"value": 11})[0][0] == "/value"
