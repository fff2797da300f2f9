"""Checks on geometry received from users: WGS84 ranges, closed rings, no self-intersection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area

MAX_VERTICES = 200_000


def _positions(coordinates: Any) -> list[tuple[float, float]]:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        if len(coordinates) < 2 or not all(isinstance(c, int | float) for c in coordinates[:2]):
            raise InvalidInput(f"a position is [longitude, latitude], not {coordinates!r}")
        return [(float(coordinates[0]), float(coordinates[1]))]
    if not isinstance(coordinates, list):
        raise InvalidInput("GeoJSON coordinates must be nested arrays of [longitude, latitude]")
    return [position for item in coordinates for position in _positions(item)]


def _check_ranges(geometry: Mapping[str, Any]) -> None:
    positions = _positions(geometry.get("coordinates"))
    if len(positions) > MAX_VERTICES:
        raise InvalidInput(f"the area has more than {MAX_VERTICES} vertices; simplify it first")
    for lon, lat in positions:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(
                f"position [{lon}, {lat}] is outside WGS84 ranges; GeoJSON puts longitude first, then latitude"
            )


def validate_area(geometry: Mapping[str, Any], ref: str | None = None) -> Area:
    """A checked polygonal area, or InvalidInput saying what is wrong with it."""
    try:
        area = Area(geometry=dict(geometry), ref=ref)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    _check_ranges(geometry)
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as error:
        raise InvalidInput(f"not a valid GeoJSON polygon: {error}") from None
    if polygon.is_empty:
        raise InvalidInput("the area is empty")
    if not polygon.is_valid:
        raise InvalidInput(f"the polygon is not valid ({explain_validity(polygon)}); fix or redraw it")
    return area
