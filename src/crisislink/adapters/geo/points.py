"""Representative points of areas, for placing a partner's markers on the map (cached per geometry)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import mapping, shape


@lru_cache(maxsize=4096)
def _point_of(geometry_json: str) -> tuple[float, float]:
    geometry = shapely.make_valid(shape(json.loads(geometry_json)))
    point = geometry.representative_point()
    return round(point.x, 5), round(point.y, 5)


def representative_point(geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Point guaranteed to lie inside the area (unlike a centroid of a crescent)."""
    lon, lat = _point_of(json.dumps(geometry, sort_keys=True))
    return dict(mapping(shapely.Point(lon, lat)))
