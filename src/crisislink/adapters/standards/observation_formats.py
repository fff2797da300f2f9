"""Pushed observations in the three forms partners send: a JSON array of records, CSV, GeoJSON.

Decoding only shapes records; the dataset's schema judges them. A record that cannot even be shaped (a
feature with a polygon, a CSV row with more cells than the header) comes out with its problem, so it is
listed among the refused records like any other.

* JSON: `[{"series": ..., "observed_at": ..., "value": ..., ...}, ...]`.
* CSV (RFC 4180, UTF-8, header row): cells are typed by the schema's `type` of their column (number,
  integer, boolean, null); an empty cell is null where the schema allows null, and absent otherwise.
* GeoJSON (RFC 7946) FeatureCollection: each feature's `properties` is a record, and a Point geometry
  places the observation (lon, lat).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from typing import Any

import msgspec

from crisislink.domains.datasets.model import Location
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.kernel.errors import InvalidInput

JSON_TYPES = frozenset({"application/json"})
GEOJSON_TYPES = frozenset({"application/geo+json"})
CSV_TYPES = frozenset({"text/csv"})
_KEY_TYPES = {"value": ("number", "null")}
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


def _too_many(limit: int) -> InvalidInput:
    return InvalidInput(f"send at most {limit} records per batch")


def _as_record(item: object) -> IncomingRecord:
    if isinstance(item, dict):
        return IncomingRecord(item)
    return IncomingRecord({}, problem=("", "a record must be a JSON object"))


def from_json(body: bytes, limit: int) -> tuple[IncomingRecord, ...]:
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise InvalidInput(f"the body is not valid JSON: {error}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return _features(data, limit)
    if not isinstance(data, list):
        raise InvalidInput("send a JSON array of records, or a GeoJSON FeatureCollection")
    if len(data) > limit:
        raise _too_many(limit)
    return tuple(_as_record(item) for item in data)


def from_geojson(body: bytes, limit: int) -> tuple[IncomingRecord, ...]:
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise InvalidInput(f"the body is not valid GeoJSON: {error}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput(
            'send a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})'
        )
    return _features(data, limit)


def _features(collection: Mapping[str, Any], limit: int) -> tuple[IncomingRecord, ...]:
    features = collection.get("features")
    if not isinstance(features, list):
        raise InvalidInput("a FeatureCollection needs a 'features' array")
    if len(features) > limit:
        raise _too_many(limit)
    return tuple(_feature(item) for item in features)


def _feature(item: object) -> IncomingRecord:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return IncomingRecord({}, problem=("", "each item of 'features' must be a GeoJSON Feature"))
    properties = item.get("properties")
    if not isinstance(properties, dict):
        return IncomingRecord(
            {}, problem=("/properties", "a feature's properties hold the record: an object")
        )
    geometry = item.get("geometry")
    if geometry is None:
        return IncomingRecord(properties)
    point = _point(geometry)
    if isinstance(point, str):
        return IncomingRecord(properties, problem=("/geometry", point))
    return IncomingRecord(properties, location=point)


def _point(geometry: object) -> Location | str:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return "only a Point geometry (or null) places an observation"
    coordinates = geometry.get("coordinates")
    numbers = (
        isinstance(coordinates, list)
        and len(coordinates) in (2, 3)
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    )
    if not numbers:
        return "a Point needs [longitude, latitude] coordinates"
    assert isinstance(coordinates, list)
    try:
        return Location(lon=float(coordinates[0]), lat=float(coordinates[1]))
    except InvalidInput as error:
        return error.message


def _column_types(schema: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    properties = schema.get("properties")
    found: dict[str, tuple[str, ...]] = dict(_KEY_TYPES)
    if isinstance(properties, Mapping):
        for name, spec in properties.items():
            kind = spec.get("type") if isinstance(spec, Mapping) else None
            if isinstance(kind, str):
                found[name] = (kind,)
            elif isinstance(kind, list):
                found[name] = tuple(k for k in kind if isinstance(k, str))
    return found


def _number(cell: str, integer: bool) -> object:
    try:
        number: float | int = int(cell) if integer else float(cell)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _typed(cell: str, types: tuple[str, ...]) -> object:
    """The cell as the schema's type of its column; a cell that does not convert stays text (and fails)."""
    text = cell.strip()
    for kind in types:
        converted: object = None
        if kind == "integer":
            converted = _number(text, integer=True)
        elif kind == "number":
            converted = _number(text, integer=False)
        elif kind == "boolean" and text.lower() in _TRUE | _FALSE:
            converted = text.lower() in _TRUE
        if converted is not None:
            return converted
    return cell


def _csv_record(row: dict[str | None, Any], types: Mapping[str, tuple[str, ...]]) -> IncomingRecord:
    if None in row:
        return IncomingRecord({}, problem=("", "this row has more cells than the header has columns"))
    record: dict[str, object] = {}
    for name, cell in row.items():
        assert name is not None
        allowed = types.get(name, ("string",))
        if cell is None or cell == "":
            if "null" in allowed:
                record[name] = None
            continue
        record[name] = _typed(cell, allowed)
    return IncomingRecord(record)


def from_csv(body: bytes, schema: Mapping[str, Any], limit: int) -> tuple[IncomingRecord, ...]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("CSV must be UTF-8 encoded") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise InvalidInput("the CSV needs a header row naming its columns (series, observed_at, value, ...)")
    types = _column_types(schema)
    records: list[IncomingRecord] = []
    try:
        for row in reader:
            if len(records) == limit:
                raise _too_many(limit)
            records.append(_csv_record(row, types))
    except csv.Error as error:
        raise InvalidInput(f"the CSV cannot be read at line {reader.line_num}: {error}") from None
    return tuple(records)
