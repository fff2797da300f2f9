"""A warning's area from what an operator types, pastes or uploads: units by code or name, GeoJSON (a
geometry, a Feature or a FeatureCollection) or a CAP message, whose polygons and circles become the area.

A CAP message is read with the hardened parser of `adapters/standards/cap.py` (no DTD, no entities, no
network); only its area shapes are taken, never its texts or codes, so an uploaded message from another
authority cannot slip wording into our warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import shapely
from shapely.geometry import shape

from crisislink.adapters.geo import warning_areas
from crisislink.adapters.geo.areas import _as_geojson
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.shapes import validate_area
from crisislink.adapters.standards import cap
from crisislink.adapters.standards.cap_lexical import circle_text, polygon_text
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import AREA_TYPES, Area

MAX_FEATURES = 500


def from_geojson_text(text: str) -> Area:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidInput(f"the GeoJSON is not valid JSON: {error}") from None
    return from_geojson(document)


def from_geojson(document: Any) -> Area:
    """A Polygon or MultiPolygon, a Feature holding one, or a FeatureCollection of them (merged)."""
    geometries = _polygons(document)
    if len(geometries) == 1:
        return validate_area(geometries[0], ref="geojson")
    for geometry in geometries:
        validate_area(geometry)
    merged = shapely.union_all([shapely.make_valid(shape(g)) for g in geometries])
    return validate_area(_as_geojson(merged), ref="geojson")


def _polygons(document: Any) -> list[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        raise InvalidInput("the GeoJSON must be an object: a Polygon, a Feature or a FeatureCollection")
    kind = document.get("type")
    if kind in AREA_TYPES:
        return [document]
    if kind == "Feature":
        return _polygons(document.get("geometry"))
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidInput("the FeatureCollection has no features")
        if len(features) > MAX_FEATURES:
            raise InvalidInput(f"at most {MAX_FEATURES} features in one area; merge them first")
        return [geometry for feature in features for geometry in _polygons(feature)]
    raise InvalidInput(
        f"a warning area is a Polygon or MultiPolygon (or a Feature of one), not {kind!r}; "
        "GeoJSON puts longitude first"
    )


def from_cap_message(data: bytes) -> Area:
    """The union of every polygon and circle in every `info/area` of a CAP 1.0, 1.1 or 1.2 message."""
    alert = cap.parse(data).alert
    areas = [area for info in alert.infos for area in info.areas]
    polygons = [polygon for area in areas for polygon in area.polygons]
    circles = [circle for area in areas for circle in area.circles]
    if not polygons and not circles:
        raise InvalidInput(
            "the CAP message has no polygon or circle (only region codes?); pick the regions or "
            "EMMA_IDs instead"
        )
    return warning_areas.from_cap(_texts(polygons, polygon_text), _texts(circles, circle_text))


def _texts(shapes: Sequence[Any], writer: Any) -> list[str]:
    # One info per language repeats the same area: each shape counts once.
    return list(dict.fromkeys(writer(item, f"shape {i}") for i, item in enumerate(shapes, 1)))


def from_upload(data: bytes) -> Area:
    """An uploaded file: a CAP message (XML) or GeoJSON, told apart by their first character."""
    start = data.lstrip()[:1]
    if start == b"<":
        return from_cap_message(data)
    if start in (b"{", b"["):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("the GeoJSON file is not UTF-8 text") from None
        return from_geojson_text(text)
    raise InvalidInput("the file is neither GeoJSON nor a CAP message (XML); upload one of those")


def units_named(reference: ReferenceData, tokens: Sequence[str]) -> list[tuple[str, str]]:
    """(layer, code) of each unit given by its code (GM0935, 73109, VR24, BE33, LU) or by a name it has in
    any language; a name several units share is refused with their codes, never guessed."""
    by_code, by_name = _unit_index(reference)
    found = []
    for token in (t.strip() for t in tokens):
        if not token:
            continue
        code = by_code.get(token.upper())
        if code is not None:
            found.append(code)
            continue
        named = by_name.get(token.casefold(), [])
        if len(named) != 1:
            raise InvalidInput(_unknown_unit(token, named))
        found.append(named[0])
    return found


def _unit_index(
    reference: ReferenceData,
) -> tuple[dict[str, tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    by_code: dict[str, tuple[str, str]] = {}
    by_name: dict[str, list[tuple[str, str]]] = {}
    for layer in warning_areas.PICKABLE_LAYERS:
        for unit in reference.layer(layer):
            by_code[unit.code.upper()] = (layer, unit.code)
            for name in {unit.name, *unit.names.values()}:
                by_name.setdefault(name.casefold(), []).append((layer, unit.code))
    return by_code, by_name


def _unknown_unit(token: str, named: Sequence[tuple[str, str]]) -> str:
    if not named:
        return f"no municipality, region or country has the code or name {token!r}"
    codes = ", ".join(f"{code} ({layer})" for layer, code in named)
    return f"{token!r} names several units: {codes}; give the code instead"
